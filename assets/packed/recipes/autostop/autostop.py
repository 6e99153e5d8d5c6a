#!/usr/bin/python3
V=float
S=isinstance
R=ValueError
N=print
M=open
O=Exception
K=OSError
import argparse as W,datetime as H,fcntl as G,json as T,os as A,pwd,shutil as P,ssl,subprocess as E,sys as F,urllib.parse,urllib.request
L=H.timezone.utc
C='/opt/lcc-autostop'
Q='ec2-user'
class B(O):0
def I(path):
	with M(path)as A:return A.read()
def D(path,text,mode='w'):
	with M(path,mode)as A:A.write(text)
def J(t):return t.strftime('%Y-%m-%dT%H:%M:%SZ')
def U(text):
	for A in('.%f',''):
		try:return H.datetime.strptime(str(text),'%Y-%m-%dT%H:%M:%S'+A+'%z').astimezone(L)
		except R:0
	raise B(f"Jupyter sent a time without zone or not ISO 8601: {text!r}")
def d(a,path):
	C=path;D=a.jupyter_url
	if urllib.parse.urlsplit(D).hostname not in('localhost','127.0.0.1','::1'):raise B(f"jupyter_url {D} is not on this instance (localhost)")
	try:
		F={'Authorization':'token '+I(a.token_file).strip()}if a.token_file else{}
		with urllib.request.urlopen(urllib.request.Request(D.rstrip('/')+C,headers=F),timeout=5,context=ssl._create_unverified_context())as G:E=T.load(G)
	except urllib.request.HTTPError as A:
		if A.code==404 and C=='/api/terminals':return[]
		raise B(f"Jupyter answered {A.code} {A.reason} to {C}")
	except R:raise B(f"Jupyter answered {C} with something that is not JSON")
	except K as A:raise B(f"cannot ask Jupyter at {D}: {getattr(A,'reason',A)}")
	if not(S(E,list)and all(S(A,dict)for A in E)):raise B(f"Jupyter answered {C} with an unexpected document")
	return E
def X(a,now):
	P=now
	try:V=T.loads(I(a.metadata));E,W=V['ResourceName'],V['ResourceArn'].split(':')[3]
	except O as H:raise B(f"no instance name and region in {a.metadata} ({H!r})")
	def Q(t):return(P-t).total_seconds()/60
	L,C=[],None
	for X in['kernel']+['terminal']*(not a.ignore_terminals):
		for G in d(a,f"/api/{X}s"):
			R=U(G.get('last_activity'));S=G.get('execution_state')
			if S=='starting'and Q(R)>a.starting_grace_minutes:continue
			C=max(C or R,R);Y=f"{X} {G.get('name')}"
			if S in('busy','starting'):L.append(f"{Y} is {S}")
			elif a.count_connections and G.get('connections'):L.append(f"{Y} has {G['connections']} connection(s)")
	M=a.state_dir+'/nothing-running-since'
	if C:
		Z='last activity'
		if A.path.exists(M):A.remove(M)
	else:
		Z='nothing running'
		try:C=U(I(M))
		except(K,B):D(M,J(P));C=P
	if L:return'active: '+'; '.join(L)
	N=f"idle since {J(C)} ({Z}; {Q(C):.1f} of {a.idle_minutes:g} minutes)"
	if Q(C)<a.idle_minutes:return N+': not stopping yet'
	try:
		import boto3;from botocore.config import Config as e;b=boto3.client('sagemaker',region_name=W,config=e(connect_timeout=5,read_timeout=15,retries={'max_attempts':3}));c=b.describe_notebook_instance(NotebookInstanceName=E)['NotebookInstanceStatus']
		if c!='InService':return f"{N}, but {E} is {c}: not stopping"
		if a.dry_run:return f"{N}: dry run: would stop {E}"
		b.stop_notebook_instance(NotebookInstanceName=E)
	except ImportError:raise B(f"{F.executable} has no boto3")
	except O as H:raise B(f"AWS: {type(H).__name__}: {H}")
	return f"{N}: stopping {E} ({W})"
def Y(a):
	O,P=1,H.datetime.now(L)
	try:A.makedirs(a.state_dir,exist_ok=True);R=M(a.state_dir+'/lock','w');G.flock(R,G.LOCK_EX|G.LOCK_NB);E,O=X(a,P),0
	except BlockingIOError:E='another check is still running'
	except(B,K)as I:E=f"not stopping: {I}"
	Q=f"{J(P)} autostop: {E}\n";F.stdout.write(Q);C=a.log
	try:
		if C:
			if A.path.exists(C)and A.path.getsize(C)>1<<20:A.replace(C,C+'.1')
			D(C,Q,'a')
	except K as I:N(f"autostop: cannot write {C}: {I}")
	return O
def Z(options):
	B=pwd.getpwnam(Q);M={A:B for(A,B)in A.environ.items()if A.startswith('AWS_')};M.update(HOME=B.pw_dir,PATH='/usr/local/bin:/usr/bin:/bin')
	def N(*C):return E.run(C,user=B.pw_uid,group=B.pw_gid,extra_groups=A.getgrouplist(Q,B.pw_gid),env=M,cwd='/',stdin=E.DEVNULL,start_new_session=True,stdout=E.PIPE,stderr=E.STDOUT,errors='replace',timeout=240)
	O=B.pw_dir+'/anaconda3';K=[B for B in(O+'/envs/JupyterSystemEnv/bin/python',O+'/bin/python','/usr/bin/python3')if A.access(B,A.X_OK)];P=next((A for A in K if not N(A,'-c','import boto3').returncode),K and K[0]);R='/run/lcc-autostop';A.makedirs(R,448,exist_ok=True);A.chown(R,B.pw_uid,B.pw_gid);S=I(C+'/args').split()+options
	if P:G=N(P,C+'/autostop.py','run',*S).stdout
	else:G=f"{J(H.datetime.now(L))} autostop: not stopping: no Python found\n"
	G=''.join(A for A in G[-4000:]if A.isprintable()or A=='\n');F.stdout.write(G);D('/var/log/jupyter.log',G,'a')
def a():
	A.makedirs(C,exist_ok=True);P.copy(__file__,C+'/autostop.py');A.chmod(C+'/autostop.py',493);F=A.environ['OPT_AUTOSTOP_ARGS'];D(C+'/args',F)
	if not(A.path.isdir('/run/systemd/system')and P.which('systemctl')):return N('skipped: systemd is not running: no idle checks')
	B=A.environ['OPT_AUTOSTOP_INTERVAL_MINUTES'];G='/etc/systemd/system/lcc-autostop.';D(G+'service',f"[Service]\nType=oneshot\nExecStart=/usr/bin/python3 {C}/autostop.py check\n");D(G+'timer',f"[Timer]\nOnActiveSec={B}min\nOnUnitActiveSec={B}min\n");E.check_call('systemctl daemon-reload && systemctl --no-block restart lcc-autostop.timer',shell=True);N(f"autostop: systemd timer lcc-autostop.timer, every {B} minutes: {F}")
def main(argv=None):
	B=argv;D=W.ArgumentParser(prog='autostop.py');A=D.add_argument;A('mode',nargs='?',default='install',choices=['install','check','run']);A('--idle-minutes',type=V,default=6e1);A('--starting-grace-minutes',type=V,default=1e1);A('--count-connections',action='store_true');A('--ignore-terminals',action='store_true');A('--dry-run',action='store_true');A('--jupyter-url',default='https://localhost:8443');A('--token-file');A('--metadata',default='/opt/ml/metadata/resource-metadata.json');A('--state-dir',default='/run/lcc-autostop');A('--log');B=F.argv[1:]if B is None else B;C=D.parse_args(B)
	if C.mode=='check':return Z(B[1:])
	return Y(C)if C.mode=='run'else a()
if __name__=='__main__':F.exit(main())
