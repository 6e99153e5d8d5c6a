import datetime,hashlib,hmac,json,os,sys,time,urllib.error,urllib.parse,urllib.request
METADATA_FILE='/opt/ml/metadata/resource-metadata.json'
EMPTY_SHA256=hashlib.sha256(b'').hexdigest()
ATTEMPTS=4
def fail(message):sys.stderr.write('s3 payload: '+message+'\n');sys.exit(1)
def imds(path,token=None,method='GET'):
	A=token;B=os.environ.get('AWS_EC2_METADATA_SERVICE_ENDPOINT','http://169.254.169.254').rstrip('/');C={'X-aws-ec2-metadata-token':A}if A else{'X-aws-ec2-metadata-token-ttl-seconds':'300'};D=urllib.request.Request(B+path,headers=C,method=method);E=urllib.request.build_opener(urllib.request.ProxyHandler({}))
	with E.open(D,timeout=5)as F:return F.read().decode()
def credentials():
	A=os.environ
	if A.get('AWS_ACCESS_KEY_ID')and A.get('AWS_SECRET_ACCESS_KEY'):return A['AWS_ACCESS_KEY_ID'],A['AWS_SECRET_ACCESS_KEY'],A.get('AWS_SESSION_TOKEN')
	C=imds('/latest/api/token',method='PUT');D=imds('/latest/meta-data/iam/security-credentials/',C).split()[0];B=json.loads(imds('/latest/meta-data/iam/security-credentials/'+D,C));return B['AccessKeyId'],B['SecretAccessKey'],B.get('Token')
def region():
	for A in('AWS_REGION','AWS_DEFAULT_REGION'):
		if os.environ.get(A):return os.environ[A]
	try:
		with open(METADATA_FILE)as B:return json.load(B)['ResourceArn'].split(':')[3]
	except(OSError,ValueError,KeyError,IndexError):C=imds('/latest/api/token',method='PUT');return imds('/latest/meta-data/placement/region',C)
def url_of(bucket,key,region_name):
	B=region_name;A=bucket;C=urllib.parse.quote(key,safe='/~');D=os.environ.get('AWS_ENDPOINT_URL_S3')or os.environ.get('AWS_ENDPOINT_URL')
	if D:return D.rstrip('/')+'/'+A+'/'+C
	E='.amazonaws.com.cn'if B.startswith('cn-')else'.amazonaws.com';return'https://'+A+'.s3.'+B+E+'/'+C
def _hmac(key,text):return hmac.new(key,text.encode(),hashlib.sha256).digest()
def signed_headers(url,region_name,access_key,secret_key,session_token,now):
	D=session_token;C=region_name;E=urllib.parse.urlsplit(url);B=now.strftime('%Y%m%dT%H%M%SZ');F=B[:8];A={'host':E.netloc,'x-amz-content-sha256':EMPTY_SHA256,'x-amz-date':B}
	if D:A['x-amz-security-token']=D
	G=';'.join(sorted(A));I='\n'.join(['GET',E.path or'/','',''.join(B+':'+A[B].strip()+'\n'for B in sorted(A)),G,EMPTY_SHA256]);H=F+'/'+C+'/s3/aws4_request';J='\n'.join(['AWS4-HMAC-SHA256',B,H,hashlib.sha256(I.encode()).hexdigest()]);K=_hmac(_hmac(_hmac(_hmac(('AWS4'+secret_key).encode(),F),C),'s3'),'aws4_request');L=hmac.new(K,J.encode(),hashlib.sha256).hexdigest();A['Authorization']='AWS4-HMAC-SHA256 Credential='+access_key+'/'+H+', SignedHeaders='+G+', Signature='+L;del A['host'];return A
def main(bucket,key):
	C=key;B=bucket
	try:E=region();G,H,I=credentials()
	except(OSError,ValueError,KeyError,IndexError)as A:fail('no credentials or region for this instance ({}): is an instance role attached?'.format(A))
	F=url_of(B,C,E)
	for D in range(1,ATTEMPTS+1):
		J=datetime.datetime.now(datetime.timezone.utc);K=signed_headers(F,E,G,H,I,J)
		try:
			with urllib.request.urlopen(urllib.request.Request(F,headers=K),timeout=30)as L:sys.stdout.buffer.write(L.read());return
		except urllib.error.HTTPError as A:
			M=A.read()[:300].decode('utf-8','replace')
			if A.code<500 or D==ATTEMPTS:fail('GET s3://{}/{} failed: HTTP {} {}'.format(B,C,A.code,M))
		except(urllib.error.URLError,OSError)as A:
			if D==ATTEMPTS:fail('GET s3://{}/{} failed: {}'.format(B,C,A))
		time.sleep(2**D)
if __name__=='__main__':main(sys.argv[1],sys.argv[2])
