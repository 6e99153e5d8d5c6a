import argparse,datetime as dt,fcntl,json,os,shutil,ssl,subprocess,sys,urllib.request
UTC=dt.timezone.utc
class Unsure(Exception):0
def stamp(t):return t.strftime('%Y-%m-%dT%H:%M:%SZ')
def parse_time(text):
	for A in('%Y-%m-%dT%H:%M:%S.%f%z','%Y-%m-%dT%H:%M:%S%z'):
		try:return dt.datetime.strptime(str(text),A).astimezone(UTC)
		except ValueError:0
	raise Unsure('Jupyter sent a time without zone or not ISO 8601: %r'%(text,))
def jupyter(a,path):
	B=path
	try:
		E=urllib.request.Request(a.jupyter_url.rstrip('/')+B)
		if a.token_file:
			with open(a.token_file)as F:E.add_header('Authorization','token '+F.read().strip())
		C=ssl.create_default_context();C.check_hostname,C.verify_mode=False,ssl.CERT_NONE
		with urllib.request.urlopen(E,timeout=5,context=C)as G:D=json.loads(G.read().decode())
	except urllib.request.HTTPError as A:
		if A.code==404 and B=='/api/terminals':return[]
		raise Unsure('Jupyter answered %s %s to %s'%(A.code,A.reason,B))
	except ValueError:raise Unsure('Jupyter answered %s with something that is not JSON'%B)
	except OSError as A:raise Unsure('cannot ask Jupyter at %s: %s'%(a.jupyter_url,getattr(A,'reason',A)))
	if not(isinstance(D,list)and all(isinstance(A,dict)for A in D)):raise Unsure('Jupyter answered %s with an unexpected document'%B)
	return D
def activity(a,now):
	F=[('kernel',A)for A in jupyter(a,'/api/kernels')]
	if a.count_terminals:F+=[('terminal',A)for A in jupyter(a,'/api/terminals')]
	B,C=[],None
	for(H,A)in F:
		D=parse_time(A.get('last_activity'));E=A.get('execution_state')
		if E=='starting'and now-D>dt.timedelta(minutes=a.starting_grace_minutes):continue
		C=max(C or D,D);G='%s %s'%(H,A.get('name'))
		if E in('busy','starting'):B.append('%s is %s'%(G,E))
		elif a.count_connections and A.get('connections'):B.append('%s has %s connection(s)'%(G,A['connections']))
	return B,C
def nothing_running_since(a,now,running):
	A=os.path.join(a.state_dir,'nothing-running-since')
	if running:
		if os.path.exists(A):os.remove(A)
		return
	try:
		with open(A)as B:return parse_time(B.read())
	except(OSError,Unsure):
		with open(A,'w')as B:B.write(stamp(now))
		return now
def sagemaker(region):
	C=region
	try:import boto3;from botocore.config import Config as A;D=boto3.client('sagemaker',region_name=C,config=A(connect_timeout=5,read_timeout=15,retries={'max_attempts':3}));return lambda verb,name:getattr(D,verb)(NotebookInstanceName=name),'boto3'
	except ImportError:0
	B=shutil.which('aws',path=os.environ.get('PATH','')+':/usr/local/bin:/home/ec2-user/anaconda3/bin')
	if not B:raise Unsure('%s has no boto3 and there is no aws CLI'%sys.executable)
	def E(verb,name):
		A=subprocess.run([B,'sagemaker',verb.replace('_','-'),'--notebook-instance-name',name,'--region',C,'--output','json','--cli-connect-timeout','5'],stdout=subprocess.PIPE,stderr=subprocess.PIPE,universal_newlines=True,timeout=120)
		if A.returncode:raise Unsure('aws CLI: %s'%(A.stderr.strip().splitlines()or['exit %d'%A.returncode])[-1])
		return json.loads(A.stdout or'{}')
	return E,B
def check(a,now):
	B=now
	try:
		with open(a.metadata)as L:H=json.load(L)
		A,I=H['ResourceName'],H['ResourceArn'].split(':')[3]
	except(OSError,ValueError,LookupError,AttributeError,TypeError)as C:raise Unsure('no instance name and region in %s (%r)'%(a.metadata,C))
	G,D=activity(a,B);E=nothing_running_since(a,B,G or D)
	if G:return'active: '+'; '.join(G)
	F='idle since %s (%s; %.1f of %g minutes)'%(stamp(E or D),'nothing running'if E else'last activity',(B-(E or D)).total_seconds()/60,a.idle_minutes)
	if B-(E or D)<dt.timedelta(minutes=a.idle_minutes):return F+': not stopping yet'
	try:
		J,M=sagemaker(I);K=J('describe_notebook_instance',A)['NotebookInstanceStatus']
		if K!='InService':return'%s, but %s is %s: not stopping'%(F,A,K)
		if a.dry_run:return'%s: dry run: would stop %s'%(F,A)
		J('stop_notebook_instance',A)
	except Unsure:raise
	except Exception as C:raise Unsure('AWS: %s: %s'%(type(C).__name__,C))
	return'%s: stopping %s (%s) with %s'%(F,A,I,M)
def main(argv=None):
	A=argparse.ArgumentParser(description=__doc__);A.add_argument('--idle-minutes',type=float,default=6e1);A.add_argument('--starting-grace-minutes',type=float,default=1e1);A.add_argument('--count-connections',action='store_true');A.add_argument('--ignore-terminals',dest='count_terminals',action='store_false');A.add_argument('--dry-run',action='store_true');A.add_argument('--jupyter-url',default='https://localhost:8443');A.add_argument('--token-file');A.add_argument('--metadata',default='/opt/ml/metadata/resource-metadata.json');A.add_argument('--state-dir',default='/run/lcc-autostop');A.add_argument('--log',help='also append the decision to this file (kept under 1 MiB)');B=A.parse_args(argv);E,F=1,dt.datetime.now(UTC)
	try:os.makedirs(B.state_dir,exist_ok=True);H=open(os.path.join(B.state_dir,'lock'),'w');fcntl.flock(H,fcntl.LOCK_EX|fcntl.LOCK_NB);C,E=check(B,F),0
	except BlockingIOError:C='another check is still running: skipping this one'
	except(Unsure,OSError)as D:C='not stopping: %s'%D
	G='%s autostop: %s\n'%(stamp(F),C);sys.stdout.write(G)
	try:
		if B.log and os.path.exists(B.log)and os.path.getsize(B.log)>1<<20:os.replace(B.log,B.log+'.1')
		if B.log:
			with open(B.log,'a')as I:I.write(G)
	except OSError as D:print('autostop: cannot write %s: %s'%(B.log,D))
	return E
if __name__=='__main__':sys.exit(main())
