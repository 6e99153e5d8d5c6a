#!/usr/bin/python3
import argparse,datetime as dt,fcntl,json,os,pwd,shutil,ssl,subprocess,sys,urllib.parse,urllib.request
UTC=dt.timezone.utc
HOME='/opt/lcc-autostop'
USER='ec2-user'
class Unsure(Exception):0
def read(path):
	with open(path)as A:return A.read()
def write(path,text,mode='w'):
	with open(path,mode)as A:A.write(text)
def stamp(t):return t.strftime('%Y-%m-%dT%H:%M:%SZ')
def parse_time(text):
	for A in('.%f',''):
		try:return dt.datetime.strptime(str(text),'%Y-%m-%dT%H:%M:%S'+A+'%z').astimezone(UTC)
		except ValueError:0
	raise Unsure(f"Jupyter sent a time without zone or not ISO 8601: {text!r}")
def jupyter(a,path):
	B=path;C=a.jupyter_url
	if urllib.parse.urlsplit(C).hostname not in('localhost','127.0.0.1','::1'):raise Unsure(f"jupyter_url {C} is not on this instance (localhost)")
	try:
		E={'Authorization':'token '+read(a.token_file).strip()}if a.token_file else{}
		with urllib.request.urlopen(urllib.request.Request(C.rstrip('/')+B,headers=E),timeout=5,context=ssl._create_unverified_context())as F:D=json.load(F)
	except urllib.request.HTTPError as A:
		if A.code==404 and B=='/api/terminals':return[]
		raise Unsure(f"Jupyter answered {A.code} {A.reason} to {B}")
	except ValueError:raise Unsure(f"Jupyter answered {B} with something that is not JSON")
	except OSError as A:raise Unsure(f"cannot ask Jupyter at {C}: {getattr(A,'reason',A)}")
	if not(isinstance(D,list)and all(isinstance(A,dict)for A in D)):raise Unsure(f"Jupyter answered {B} with an unexpected document")
	return D
def decide(a,now):
	H=now
	try:L=json.loads(read(a.metadata));B,M=L['ResourceName'],L['ResourceArn'].split(':')[3]
	except Exception as D:raise Unsure(f"no instance name and region in {a.metadata} ({D!r})")
	def I(t):return(H-t).total_seconds()/60
	E,A=[],None
	for N in['kernel']+['terminal']*(not a.ignore_terminals):
		for C in jupyter(a,f"/api/{N}s"):
			J=parse_time(C.get('last_activity'));K=C.get('execution_state')
			if K=='starting'and I(J)>a.starting_grace_minutes:continue
			A=max(A or J,J);O=f"{N} {C.get('name')}"
			if K in('busy','starting'):E.append(f"{O} is {K}")
			elif a.count_connections and C.get('connections'):E.append(f"{O} has {C['connections']} connection(s)")
	F=a.state_dir+'/nothing-running-since'
	if A:
		P='last activity'
		if os.path.exists(F):os.remove(F)
	else:
		P='nothing running'
		try:A=parse_time(read(F))
		except(OSError,Unsure):write(F,stamp(H));A=H
	if E:return'active: '+'; '.join(E)
	G=f"idle since {stamp(A)} ({P}; {I(A):.1f} of {a.idle_minutes:g} minutes)"
	if I(A)<a.idle_minutes:return G+': not stopping yet'
	try:
		import boto3;from botocore.config import Config as S;Q=boto3.client('sagemaker',region_name=M,config=S(connect_timeout=5,read_timeout=15,retries={'max_attempts':3}));R=Q.describe_notebook_instance(NotebookInstanceName=B)['NotebookInstanceStatus']
		if R!='InService':return f"{G}, but {B} is {R}: not stopping"
		if a.dry_run:return f"{G}: dry run: would stop {B}"
		Q.stop_notebook_instance(NotebookInstanceName=B)
	except ImportError:raise Unsure(f"{sys.executable} has no boto3")
	except Exception as D:raise Unsure(f"AWS: {type(D).__name__}: {D}")
	return f"{G}: stopping {B} ({M})"
def run(a):
	D,E=1,dt.datetime.now(UTC)
	try:os.makedirs(a.state_dir,exist_ok=True);G=open(a.state_dir+'/lock','w');fcntl.flock(G,fcntl.LOCK_EX|fcntl.LOCK_NB);B,D=decide(a,E),0
	except BlockingIOError:B='another check is still running'
	except(Unsure,OSError)as C:B=f"not stopping: {C}"
	F=f"{stamp(E)} autostop: {B}\n";sys.stdout.write(F);A=a.log
	try:
		if A:
			if os.path.exists(A)and os.path.getsize(A)>1<<20:os.replace(A,A+'.1')
			write(A,F,'a')
	except OSError as C:print(f"autostop: cannot write {A}: {C}")
	return D
def check(options):
	A=pwd.getpwnam(USER);D={A:B for(A,B)in os.environ.items()if A.startswith('AWS_')};D.update(HOME=A.pw_dir,PATH='/usr/local/bin:/usr/bin:/bin')
	def E(*B):return subprocess.run(B,user=A.pw_uid,group=A.pw_gid,extra_groups=os.getgrouplist(USER,A.pw_gid),env=D,cwd='/',stdin=subprocess.DEVNULL,start_new_session=True,stdout=subprocess.PIPE,stderr=subprocess.STDOUT,errors='replace',timeout=240)
	F=A.pw_dir+'/anaconda3';C=[A for A in(F+'/envs/JupyterSystemEnv/bin/python',F+'/bin/python','/usr/bin/python3')if os.access(A,os.X_OK)];G=next((A for A in C if not E(A,'-c','import boto3').returncode),C and C[0]);H='/run/lcc-autostop';os.makedirs(H,448,exist_ok=True);os.chown(H,A.pw_uid,A.pw_gid);I=read(HOME+'/args').split()+options
	if G:B=E(G,HOME+'/autostop.py','run',*I).stdout
	else:B=f"{stamp(dt.datetime.now(UTC))} autostop: not stopping: no Python found\n"
	B=''.join(A for A in B[-4000:]if A.isprintable()or A=='\n');sys.stdout.write(B);write('/var/log/jupyter.log',B,'a')
def install():
	os.makedirs(HOME,exist_ok=True);shutil.copy(__file__,HOME+'/autostop.py');os.chmod(HOME+'/autostop.py',493);B=os.environ['OPT_AUTOSTOP_ARGS'];write(HOME+'/args',B)
	if not(os.path.isdir('/run/systemd/system')and shutil.which('systemctl')):return print('skipped: systemd is not running: no idle checks')
	A=os.environ['OPT_AUTOSTOP_INTERVAL_MINUTES'];C='/etc/systemd/system/lcc-autostop.';write(C+'service',f"[Service]\nType=oneshot\nExecStart=/usr/bin/python3 {HOME}/autostop.py check\n");write(C+'timer',f"[Timer]\nOnActiveSec={A}min\nOnUnitActiveSec={A}min\n");subprocess.check_call('systemctl daemon-reload && systemctl --no-block restart lcc-autostop.timer',shell=True);print(f"autostop: systemd timer lcc-autostop.timer, every {A} minutes: {B}")
def main(argv=None):
	B=argv;D=argparse.ArgumentParser(prog='autostop.py');A=D.add_argument;A('mode',nargs='?',default='install',choices=['install','check','run']);A('--idle-minutes',type=float,default=6e1);A('--starting-grace-minutes',type=float,default=1e1);A('--count-connections',action='store_true');A('--ignore-terminals',action='store_true');A('--dry-run',action='store_true');A('--jupyter-url',default='https://localhost:8443');A('--token-file');A('--metadata',default='/opt/ml/metadata/resource-metadata.json');A('--state-dir',default='/run/lcc-autostop');A('--log');B=sys.argv[1:]if B is None else B;C=D.parse_args(B)
	if C.mode=='check':return check(B[1:])
	return run(C)if C.mode=='run'else install()
if __name__=='__main__':sys.exit(main())
