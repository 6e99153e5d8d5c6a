O=sorted
N=IndexError
M=KeyError
L=ValueError
G=OSError
import datetime as H,hashlib as C,hmac as I,json as J,os as A,sys,time,urllib.error,urllib.parse,urllib.request
P='/opt/ml/metadata/resource-metadata.json'
K=C.sha256(b'').hexdigest()
E=4
def F(message):A=message;sys.stderr.write('s3 payload: '+A+'\n');raise RuntimeError(A)
def B(path,token=None,method='GET'):
	B=token;C=A.environ.get('AWS_EC2_METADATA_SERVICE_ENDPOINT','http://169.254.169.254').rstrip('/');D={'X-aws-ec2-metadata-token':B}if B else{'X-aws-ec2-metadata-token-ttl-seconds':'300'};E=urllib.request.Request(C+path,headers=D,method=method);F=urllib.request.build_opener(urllib.request.ProxyHandler({}))
	with F.open(E,timeout=5)as G:return G.read().decode()
def Q():
	C=A.environ
	if C.get('AWS_ACCESS_KEY_ID')and C.get('AWS_SECRET_ACCESS_KEY'):return C['AWS_ACCESS_KEY_ID'],C['AWS_SECRET_ACCESS_KEY'],C.get('AWS_SESSION_TOKEN')
	E=B('/latest/api/token',method='PUT');F=B('/latest/meta-data/iam/security-credentials/',E).split()[0];D=J.loads(B('/latest/meta-data/iam/security-credentials/'+F,E));return D['AccessKeyId'],D['SecretAccessKey'],D.get('Token')
def R():
	for C in('AWS_REGION','AWS_DEFAULT_REGION'):
		if A.environ.get(C):return A.environ[C]
	try:
		with open(P)as D:return J.load(D)['ResourceArn'].split(':')[3]
	except(G,L,M,N):E=B('/latest/api/token',method='PUT');return B('/latest/meta-data/placement/region',E)
def S(bucket,key,region_name):
	C=region_name;B=bucket;D=urllib.parse.quote(key,safe='/~');E=A.environ.get('AWS_ENDPOINT_URL_S3')or A.environ.get('AWS_ENDPOINT_URL')
	if E:return E.rstrip('/')+'/'+B+'/'+D
	F='.amazonaws.com.cn'if C.startswith('cn-')else'.amazonaws.com';return'https://'+B+'.s3.'+C+F+'/'+D
def D(key,text):return I.new(key,text.encode(),C.sha256).digest()
def T(url,region_name,access_key,secret_key,session_token,now):
	F=session_token;E=region_name;G=urllib.parse.urlsplit(url);B=now.strftime('%Y%m%dT%H%M%SZ');H=B[:8];A={'host':G.netloc,'x-amz-content-sha256':K,'x-amz-date':B}
	if F:A['x-amz-security-token']=F
	J=';'.join(O(A));M='\n'.join(['GET',G.path or'/','',''.join(B+':'+A[B].strip()+'\n'for B in O(A)),J,K]);L=H+'/'+E+'/s3/aws4_request';N='\n'.join(['AWS4-HMAC-SHA256',B,L,C.sha256(M.encode()).hexdigest()]);P=D(D(D(D(('AWS4'+secret_key).encode(),H),E),'s3'),'aws4_request');Q=I.new(P,N.encode(),C.sha256).hexdigest();A['Authorization']='AWS4-HMAC-SHA256 Credential='+access_key+'/'+L+', SignedHeaders='+J+', Signature='+Q;del A['host'];return A
def U(bucket,key):
	C=key;B=bucket;sys.stderr.write('lcc-constructs: downloading the payload from s3://'+B+'/'+C+'\n')
	try:I=R();K,O,P=Q()
	except(G,L,M,N)as A:F('no credentials or region for this instance ({}): is an instance role attached?'.format(A))
	J=S(B,C,I)
	for D in range(1,E+1):
		U=H.datetime.now(H.timezone.utc);V=T(J,I,K,O,P,U)
		try:
			with urllib.request.urlopen(urllib.request.Request(J,headers=V),timeout=30)as W:return W.read()
		except urllib.error.HTTPError as A:
			X=A.read()[:300].decode('utf-8','replace')
			if A.code<500 or D==E:F('GET s3://{}/{} failed: HTTP {} {}'.format(B,C,A.code,X))
		except(urllib.error.URLError,G)as A:
			if D==E:F('GET s3://{}/{} failed: {}'.format(B,C,A))
		time.sleep(2**D)
U(*input().split())
