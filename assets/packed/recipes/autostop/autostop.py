#!/usr/bin/python3
import argparse,datetime as dt,fcntl,json,os,pwd,shutil,ssl,subprocess,sys,urllib.parse,urllib.request
UTC=dt.timezone.utc
HOME='/opt/lcc-autostop'
UNIT='/etc/systemd/system/lcc-autostop'
USER='ec2-user'
LOOPBACK='localhost','127.0.0.1','::1'
class Unsure(Exception):0
def stamp(t):return t.strftime('%Y-%m-%dT%H:%M:%SZ')
def parse_time(text):
	for A in('%Y-%m-%dT%H:%M:%S.%f%z','%Y-%m-%dT%H:%M:%S%z'):
		try:return dt.datetime.strptime(str(text),A).astimezone(UTC)
		except ValueError:0
	raise Unsure('Jupyter sent a time without zone or not ISO 8601: %r'%(text,))
def jupyter(a,path):
	B=path
	if urllib.parse.urlsplit(a.jupyter_url).hostname not in LOOPBACK:raise Unsure('jupyter_url %s is not on this instance (localhost)'%a.jupyter_url)
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
def decide(a,now):
	B=now
	try:
		with open(a.metadata)as L:H=json.load(L)
		A,I=H['ResourceName'],H['ResourceArn'].split(':')[3]
	except(OSError,ValueError,LookupError,AttributeError,TypeError)as C:raise Unsure('no instance name and region in %s (%r)'%(a.metadata,C))
	G,D=activity(a,B);E=nothing_running_since(a,B,G or D)
	if G:return'active: '+'; '.join(G)
	F='idle since %s (%s; %.1f of %g minutes)'%(stamp(E or D),'nothing running'if E else'last activity',(B-(E or D)).total_seconds()/60,a.idle_minutes)
	if B-(E or D)<dt.timedelta(minutes=a.idle_minutes):return F+': not stopping yet'
	try:import boto3;from botocore.config import Config as M
	except ImportError:raise Unsure('%s has no boto3'%sys.executable)
	try:
		J=boto3.client('sagemaker',region_name=I,config=M(connect_timeout=5,read_timeout=15,retries={'max_attempts':3}));K=J.describe_notebook_instance(NotebookInstanceName=A)['NotebookInstanceStatus']
		if K!='InService':return'%s, but %s is %s: not stopping'%(F,A,K)
		if a.dry_run:return'%s: dry run: would stop %s'%(F,A)
		J.stop_notebook_instance(NotebookInstanceName=A)
	except Exception as C:raise Unsure('AWS: %s: %s'%(type(C).__name__,C))
	return'%s: stopping %s (%s)'%(F,A,I)
def run(a):
	C,D=1,dt.datetime.now(UTC)
	try:os.makedirs(a.state_dir,exist_ok=True);F=open(os.path.join(a.state_dir,'lock'),'w');fcntl.flock(F,fcntl.LOCK_EX|fcntl.LOCK_NB);A,C=decide(a,D),0
	except BlockingIOError:A='another check is still running: skipping this one'
	except(Unsure,OSError)as B:A='not stopping: %s'%B
	E='%s autostop: %s\n'%(stamp(D),A);sys.stdout.write(E)
	try:
		if a.log and os.path.exists(a.log)and os.path.getsize(a.log)>1<<20:os.replace(a.log,a.log+'.1')
		if a.log:
			with open(a.log,'a')as G:G.write(E)
	except OSError as B:print('autostop: cannot write %s: %s'%(a.log,B))
	return C
def as_user(argv,**C):A=pwd.getpwnam(USER);B={A:B for(A,B)in os.environ.items()if A.startswith('AWS_')};B.update(HOME=A.pw_dir,PATH='/usr/local/bin:/usr/bin:/bin');return subprocess.run(argv,user=A.pw_uid,group=A.pw_gid,extra_groups=os.getgrouplist(USER,A.pw_gid),env=B,cwd='/',stdin=subprocess.DEVNULL,start_new_session=True,**C)
def check(extra):
	E=os.path.expanduser('~%s/anaconda3'%USER);B=[A for A in(E+'/envs/JupyterSystemEnv/bin/python',E+'/bin/python','/usr/bin/python3')if os.access(A,os.X_OK)];F=next((A for A in B if not as_user([A,'-c','import boto3'],capture_output=True).returncode),B[0]if B else None);C='/run/lcc-autostop';os.makedirs(C,448,exist_ok=True);G=pwd.getpwnam(USER);os.chown(C,G.pw_uid,G.pw_gid)
	with open(HOME+'/args')as D:H=D.read().split()+['--state-dir',C]+extra
	if F:A=as_user([F,HOME+'/autostop.py','run']+H,stdout=subprocess.PIPE,stderr=subprocess.STDOUT,timeout=240).stdout.decode(errors='replace')
	else:A='%s autostop: not stopping: no Python found\n'%stamp(dt.datetime.now(UTC))
	A=''.join(A for A in A[-4000:]if A.isprintable()or A=='\n');sys.stdout.write(A)
	with open('/var/log/jupyter.log','a')as D:D.write(A)
def install():
	os.makedirs(HOME,exist_ok=True);shutil.copy(__file__,HOME+'/autostop.py');os.chmod(HOME+'/autostop.py',493)
	with open(HOME+'/args','w')as A:A.write(os.environ['OPT_AUTOSTOP_ARGS'])
	if not(os.path.isdir('/run/systemd/system')and shutil.which('systemctl')):print('skipped: systemd is not running: nothing checks for idleness');return
	B=os.environ['OPT_AUTOSTOP_INTERVAL_MINUTES']
	with open(UNIT+'.service','w')as A:A.write('[Service]\nType=oneshot\nExecStart=/usr/bin/python3 %s/autostop.py check\n'%HOME)
	with open(UNIT+'.timer','w')as A:A.write('[Timer]\nOnActiveSec=%smin\nOnUnitActiveSec=%smin\n'%(B,B))
	subprocess.run(['systemctl','daemon-reload'],check=True);subprocess.run(['systemctl','--no-block','restart','lcc-autostop.timer'],check=True);print('autostop: systemd timer lcc-autostop.timer, every %s minutes: %s'%(B,os.environ['OPT_AUTOSTOP_ARGS']))
def main(argv=None):
	B=argv;A=argparse.ArgumentParser(description='lcc-constructs autostop (README: Autostop)');A.add_argument('mode',nargs='?',default='install',choices=['install','check','run']);A.add_argument('--idle-minutes',type=float,default=6e1);A.add_argument('--starting-grace-minutes',type=float,default=1e1);A.add_argument('--count-connections',action='store_true');A.add_argument('--ignore-terminals',dest='count_terminals',action='store_false');A.add_argument('--dry-run',action='store_true');A.add_argument('--jupyter-url',default='https://localhost:8443');A.add_argument('--token-file');A.add_argument('--metadata',default='/opt/ml/metadata/resource-metadata.json');A.add_argument('--state-dir',default='/run/lcc-autostop');A.add_argument('--log',help='also append the decision to this file (kept under 1 MiB)');B=sys.argv[1:]if B is None else B;C=A.parse_args(B)
	if C.mode=='install':return install()
	if C.mode=='check':return check(B[1:])
	return run(C)
if __name__=='__main__':sys.exit(main())
