Q=sorted
P=IndexError
O=KeyError
N=ValueError
I=OSError
import datetime as J,hashlib as D,hmac as K,json as F,os as B,sys,time,urllib.error,urllib.parse,urllib.request
R='/opt/ml/metadata/resource-metadata.json'
L=D.sha256(b'').hexdigest()
G=4
def H(message):A=message;sys.stderr.write('s3 payload: '+A+'\n');raise RuntimeError(A)
def M(url,headers,method='GET'):
	A=urllib.request.build_opener(urllib.request.ProxyHandler({}))
	with A.open(urllib.request.Request(url,headers=headers,method=method),timeout=5)as B:return B.read().decode()
def C(path,token=None,method='GET'):A=token;C=B.environ.get('AWS_EC2_METADATA_SERVICE_ENDPOINT','http://169.254.169.254').rstrip('/');D={'X-aws-ec2-metadata-token':A}if A else{'X-aws-ec2-metadata-token-ttl-seconds':'300'};return M(C+path,D,method)
def S():
	A=B.environ
	if A.get('AWS_ACCESS_KEY_ID')and A.get('AWS_SECRET_ACCESS_KEY'):return A['AWS_ACCESS_KEY_ID'],A['AWS_SECRET_ACCESS_KEY'],A.get('AWS_SESSION_TOKEN')
	E=A.get('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');G=A.get('AWS_CONTAINER_CREDENTIALS_FULL_URI')
	if E or G:H=A.get('AWS_CONTAINER_AUTHORIZATION_TOKEN');J='http://169.254.170.2'+E if E else G;D=F.loads(M(J,{'Authorization':H}if H else{}))
	else:I=C('/latest/api/token',method='PUT');K=C('/latest/meta-data/iam/security-credentials/',I).split()[0];D=F.loads(C('/latest/meta-data/iam/security-credentials/'+K,I))
	return D['AccessKeyId'],D['SecretAccessKey'],D.get('Token')
def T():
	for A in('AWS_REGION','AWS_DEFAULT_REGION'):
		if B.environ.get(A):return B.environ[A]
	try:
		with open(R)as D:return F.load(D)['ResourceArn'].split(':')[3]
	except(I,N,O,P):E=C('/latest/api/token',method='PUT');return C('/latest/meta-data/placement/region',E)
def U(bucket,key,region_name):
	C=region_name;A=bucket;D=urllib.parse.quote(key,safe='/~');E=B.environ.get('AWS_ENDPOINT_URL_S3')or B.environ.get('AWS_ENDPOINT_URL')
	if E:return E.rstrip('/')+'/'+A+'/'+D
	F='.amazonaws.com.cn'if C.startswith('cn-')else'.amazonaws.com';return'https://'+A+'.s3.'+C+F+'/'+D
def E(key,text):return K.new(key,text.encode(),D.sha256).digest()
def V(url,region_name,access_key,secret_key,session_token,now):
	F=session_token;C=region_name;G=urllib.parse.urlsplit(url);B=now.strftime('%Y%m%dT%H%M%SZ');H=B[:8];A={'host':G.netloc,'x-amz-content-sha256':L,'x-amz-date':B}
	if F:A['x-amz-security-token']=F
	I=';'.join(Q(A));M='\n'.join(['GET',G.path or'/','',''.join(B+':'+A[B].strip()+'\n'for B in Q(A)),I,L]);J=H+'/'+C+'/s3/aws4_request';N='\n'.join(['AWS4-HMAC-SHA256',B,J,D.sha256(M.encode()).hexdigest()]);O=E(E(E(E(('AWS4'+secret_key).encode(),H),C),'s3'),'aws4_request');P=K.new(O,N.encode(),D.sha256).hexdigest();A['Authorization']='AWS4-HMAC-SHA256 Credential='+access_key+'/'+J+', SignedHeaders='+I+', Signature='+P;del A['host'];return A
def A(bucket,key):
	C=key;B=bucket;sys.stderr.write('lcc-constructs: downloading the payload from s3://'+B+'/'+C+'\n')
	try:E=T();K,L,M=S()
	except(I,N,O,P)as A:H('no credentials or region for this instance ({}): is an instance role attached?'.format(A))
	F=U(B,C,E)
	for D in range(1,G+1):
		Q=J.datetime.now(J.timezone.utc);R=V(F,E,K,L,M,Q)
		try:
			with urllib.request.urlopen(urllib.request.Request(F,headers=R),timeout=30)as W:return W.read()
		except urllib.error.HTTPError as A:
			X=A.read()[:300].decode('utf-8','replace')
			if A.code<500 or D==G:H('GET s3://{}/{} failed: HTTP {} {}'.format(B,C,A.code,X))
		except(urllib.error.URLError,I)as A:
			if D==G:H('GET s3://{}/{} failed: {}'.format(B,C,A))
		time.sleep(2**D)
A(*input().split())
