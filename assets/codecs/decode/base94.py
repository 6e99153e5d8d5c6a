import functools
s=input().encode()
b"".join(functools.reduce(lambda v,c:v*94+c-33,s[i:i+11],0).to_bytes(9,"big")for i in range(0,len(s),11))
