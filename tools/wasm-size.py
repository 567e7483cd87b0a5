import sys
b=open(sys.argv[1],'rb').read()
def leb(b,i):
    r=s=0
    while True:
        x=b[i]; i+=1; r|=(x&0x7f)<<s; s+=7
        if x<0x80: return r,i
i=8; secs={}; names={}; code=None; nimports=0
while i<len(b):
    sid=b[i]; i+=1; size,i=leb(b,i); start=i
    if sid==2:
        n,j=leb(b,i)
        for _ in range(n):
            l,j=leb(b,j); j+=l; l,j=leb(b,j); j+=l; kind=b[j]; j+=1
            if kind==0: _,j=leb(b,j); nimports+=1
    if sid==10: code=(start,size)
    if sid==0:
        l,j=leb(b,i); nm=b[j:j+l].decode(); j+=l
        if nm=='name':
            while j<start+size:
                t=b[j]; j+=1; sz,j=leb(b,j); e=j+sz
                if t==1:
                    n,j=leb(b,j)
                    for _ in range(n):
                        idx,j=leb(b,j); l,j=leb(b,j); names[idx]=b[j:j+l].decode(); j+=l
                j=e
    secs[sid]=secs.get(sid,0)+size
    i=start+size
s,size=code; n,j=leb(b,s); sizes=[]
for k in range(n):
    sz,j2=leb(b,j); sizes.append((sz,names.get(k+nimports,str(k)))); j=j2+sz
sizes.sort(reverse=True)
print('sections',secs,'code',sum(x for x,_ in sizes))
for x,nm in sizes[:int(sys.argv[2]) if len(sys.argv)>2 else 40]: print(x,nm)
