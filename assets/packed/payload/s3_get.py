P=sorted
O=IndexError
N=KeyError
M=ValueError
H=OSError
import datetime as I,hashlib as D,hmac as J,json as K,os as A,sys as B,time,urllib.error,urllib.parse,urllib.request
Q='/opt/ml/metadata/resource-metadata.json'
L=D.sha256(b'').hexdigest()
F=4
def G(message):B.stderr.write('s3 payload: '+message+'\n');B.exit(1)
def C(path,token=None,method='GET'):
	B=token;C=A.environ.get('AWS_EC2_METADATA_SERVICE_ENDPOINT','http://169.254.169.254').rstrip('/');D={'X-aws-ec2-metadata-token':B}if B else{'X-aws-ec2-metadata-token-ttl-seconds':'300'};E=urllib.request.Request(C+path,headers=D,method=method);F=urllib.request.build_opener(urllib.request.ProxyHandler({}))
	with F.open(E,timeout=5)as G:return G.read().decode()
def R():
	B=A.environ
	if B.get('AWS_ACCESS_KEY_ID')and B.get('AWS_SECRET_ACCESS_KEY'):return B['AWS_ACCESS_KEY_ID'],B['AWS_SECRET_ACCESS_KEY'],B.get('AWS_SESSION_TOKEN')
	E=C('/latest/api/token',method='PUT');F=C('/latest/meta-data/iam/security-credentials/',E).split()[0];D=K.loads(C('/latest/meta-data/iam/security-credentials/'+F,E));return D['AccessKeyId'],D['SecretAccessKey'],D.get('Token')
def S():
	for B in('AWS_REGION','AWS_DEFAULT_REGION'):
		if A.environ.get(B):return A.environ[B]
	try:
		with open(Q)as D:return K.load(D)['ResourceArn'].split(':')[3]
	except(H,M,N,O):E=C('/latest/api/token',method='PUT');return C('/latest/meta-data/placement/region',E)
def T(bucket,key,region_name):
	C=region_name;B=bucket;D=urllib.parse.quote(key,safe='/~');E=A.environ.get('AWS_ENDPOINT_URL_S3')or A.environ.get('AWS_ENDPOINT_URL')
	if E:return E.rstrip('/')+'/'+B+'/'+D
	F='.amazonaws.com.cn'if C.startswith('cn-')else'.amazonaws.com';return'https://'+B+'.s3.'+C+F+'/'+D
def E(key,text):return J.new(key,text.encode(),D.sha256).digest()
def U(url,region_name,access_key,secret_key,session_token,now):
	F=session_token;C=region_name;G=urllib.parse.urlsplit(url);B=now.strftime('%Y%m%dT%H%M%SZ');H=B[:8];A={'host':G.netloc,'x-amz-content-sha256':L,'x-amz-date':B}
	if F:A['x-amz-security-token']=F
	I=';'.join(P(A));M='\n'.join(['GET',G.path or'/','',''.join(B+':'+A[B].strip()+'\n'for B in P(A)),I,L]);K=H+'/'+C+'/s3/aws4_request';N='\n'.join(['AWS4-HMAC-SHA256',B,K,D.sha256(M.encode()).hexdigest()]);O=E(E(E(E(('AWS4'+secret_key).encode(),H),C),'s3'),'aws4_request');Q=J.new(O,N.encode(),D.sha256).hexdigest();A['Authorization']='AWS4-HMAC-SHA256 Credential='+access_key+'/'+K+', SignedHeaders='+I+', Signature='+Q;del A['host'];return A
def main(bucket,key):
	D=key;C=bucket
	try:J=S();L,P,Q=R()
	except(H,M,N,O)as A:G('no credentials or region for this instance ({}): is an instance role attached?'.format(A))
	K=T(C,D,J)
	for E in range(1,F+1):
		V=I.datetime.now(I.timezone.utc);W=U(K,J,L,P,Q,V)
		try:
			with urllib.request.urlopen(urllib.request.Request(K,headers=W),timeout=30)as X:B.stdout.buffer.write(X.read());return
		except urllib.error.HTTPError as A:
			Y=A.read()[:300].decode('utf-8','replace')
			if A.code<500 or E==F:G('GET s3://{}/{} failed: HTTP {} {}'.format(C,D,A.code,Y))
		except(urllib.error.URLError,H)as A:
			if E==F:G('GET s3://{}/{} failed: {}'.format(C,D,A))
		time.sleep(2**E)
if __name__=='__main__':main(B.argv[1],B.argv[2])
