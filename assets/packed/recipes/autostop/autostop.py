#!/usr/bin/python3
O=OSError
F=print
import datetime as B,json as I,os as A,ssl,subprocess as C,sys,threading as P,urllib.request
E='/opt/lcc-autostop'
J='ec2-user'
Q='/home/ec2-user'
R=60
K=4096
L={'idle_minutes':'60','count_connections':'0','dry_run':'0','jupyter_url':'https://localhost:8443','token_file':'','log_file':'/home/ec2-user/SageMaker/.autostop.log','metadata':'/opt/ml/metadata/resource-metadata.json'}
def G(path):
	with open(path)as A:return A.read()
def D(path,text,mode='w'):
	with open(path,mode)as A:A.write(text)
def M():return f"{B.datetime.now(B.timezone.utc):%FT%TZ} autostop: "
def N(o,path):A=o['token_file'];return I.load(urllib.request.urlopen(urllib.request.Request(o['jupyter_url'].rstrip('/')+path,headers={'Authorization':'token '+G(A).strip()}if A else{}),timeout=5,context=ssl._create_unverified_context()))
def S(o):
	E=N(o,'/api/status');F=E['last_activity'];C=B.datetime.now(B.timezone.utc)-B.datetime.fromisoformat(F.replace('Z','+00:00'));C=C.total_seconds()/60;D=f"idle since {F} ({C:.1f} of {o['idle_minutes']} minutes)"
	if C<float(o['idle_minutes']):return D+': not stopping yet'
	H=[A['name']for A in N(o,'/api/kernels?no_track_activity=1')if A['execution_state']=='busy']
	if H:return'active: busy kernel '+' '.join(H)
	if int(o['count_connections'])and E['connections']:return f"active: {E['connections']} connection(s)"
	J=I.loads(G(o['metadata']));A=J['ResourceName'];import boto3;from botocore.config import Config as M;K=boto3.client('sagemaker',region_name=J['ResourceArn'].split(':')[3],config=M(connect_timeout=5));L=K.describe_notebook_instance(NotebookInstanceName=A)['NotebookInstanceStatus']
	if L!='InService':return f"{D}, but {A} is {L}: not stopping"
	if int(o['dry_run']):return D+': dry run: would stop '+A
	K.stop_notebook_instance(NotebookInstanceName=A);return D+': stopping '+A
def T(args):
	E,H=dict(L),1
	try:
		for I in args:
			J,K,E[J]=I.partition('=')
			if J not in L:raise ValueError('unknown option '+I)
		C,H=S(E),0
	except Exception as G:C=f"not stopping: {G!r}"
	B=E['log_file']
	try:
		if B:
			if A.path.exists(B)and A.path.getsize(B)>1<<20:A.replace(B,B+'.1')
			D(B,M()+C+'\n','a')
	except O as G:C+=f" ({G!r})"
	F(C);return H
def U(args):
	B=b''
	try:
		G=C.Popen(['/bin/sh','-c','p=~/anaconda3/envs/JupyterSystemEnv/bin/python;[ -x "$p" ]||p=/usr/bin/python3;exec "$p" "$@"','sh',E+'/autostop.py','run',*args],user=J,group=J,extra_groups=[],cwd='/',env={'HOME':Q,'PATH':'/usr/bin:/bin'},stdin=C.DEVNULL,stdout=C.PIPE,stderr=C.STDOUT,start_new_session=True)
		def N():
			nonlocal B
			while len(B)<K and(C:=A.read(G.stdout.fileno(),K-len(B))):B+=C
		H=P.Thread(target=N,daemon=True);H.start();H.join(R);A.killpg(G.pid,9);I=f"{B.decode(errors='replace').strip()or'no answer'} (exit {G.wait()})"
	except O as S:I=f"not stopping: {S!r}"
	L=(M()+I).encode('unicode_escape').decode()[:1000];F(L);D('/var/log/jupyter.log',L+'\n','a')
def V():
	A.makedirs(E,exist_ok=True);D(E+'/autostop.py',G(__file__))
	if not A.path.isdir('/run/systemd/system'):return F('skipped: systemd is not running: no idle checks')
	H=A.environ['OPT_AUTOSTOP_ARGS'];B=A.environ['OPT_AUTOSTOP_INTERVAL_MINUTES'];I='/etc/systemd/system/lcc-autostop.';D(I+'service',f"[Service]\nType=oneshot\nTimeoutStartSec=150\nExecStart=/usr/bin/python3 {E}/autostop.py check {H}\n");D(I+'timer',f"[Timer]\nOnActiveSec={B}min\nOnUnitActiveSec={B}min\n");C.check_call('systemctl daemon-reload && systemctl --no-block restart lcc-autostop.timer',shell=True);F(f"autostop: systemd timer lcc-autostop.timer, every {B} minutes: {H}")
if __name__=='__main__':H=sys.argv[1:];sys.exit({'check':U,'run':T}[H[0]](H[1:])if H else V())
