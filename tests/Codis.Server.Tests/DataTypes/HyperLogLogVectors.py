# Records the HyperLogLog test vectors from a real redis-server 7.0 (FLUSHALLs it!).
# Usage: python3 HyperLogLogVectors.py <port> <out.json>; HyperLogLogVectors.cs was written from the JSON.
import socket, hashlib, json, sys
PORT=int(sys.argv[1])
s=socket.create_connection(('127.0.0.1',PORT)); f=s.makefile('rb')
def enc(args):
    out=[b'*%d\r\n'%len(args)]
    for a in args:
        if isinstance(a,str): a=a.encode()
        if isinstance(a,int): a=str(a).encode()
        out.append(b'$%d\r\n'%len(a)+a+b'\r\n')
    return b''.join(out)
def read():
    l=f.readline()[:-2]; t=l[:1]; r=l[1:]
    if t==b'+': return r.decode()
    if t==b'-': return ('ERR', r.decode())
    if t==b':': return int(r)
    if t==b'$':
        n=int(r)
        if n<0: return None
        d=f.read(n+2)[:-2]; return d
    if t==b'*': return [read() for _ in range(int(r))]
def cmd(*a):
    s.sendall(enc(a)); return read()
def cmds(cmdlist):
    # pipelined
    s.sendall(b''.join(enc(c) for c in cmdlist)); return [read() for _ in cmdlist]
cmd('FLUSHALL')
def ascii_elems(n, prefix='e'): return [('%s%d'%(prefix,i)).encode() for i in range(n)]
def bin_elems(n): return [j.to_bytes(4,'little')+bytes(((j*7+k)&0xff) for k in range(j%13)) for j in range(n)]
def pfadd_all(key, elems):
    rs=[]
    for i in range(0,len(elems),1000):
        rs.append(cmd('PFADD',key,*elems[i:i+1000]))
    return rs
out={}
def snap(key):
    v=cmd('GET',key)
    return {'len':len(v),'sha256':hashlib.sha256(v).hexdigest(),'hex':v.hex() if len(v)<=400 else None}
out['empty']=None
cmd('PFADD','empty'); out['empty']=snap('empty')
for kind in ['ascii','bin']:
    for n in [1,2,3,10,100,1000,3000,5000,100000]:
        key='%s%d'%(kind,n)
        el=ascii_elems(n) if kind=='ascii' else bin_elems(n)
        pfadd_all(key, el)
        before=snap(key)
        c=cmd('PFCOUNT',key)
        after=snap(key)
        out[key]={'before':before,'count':c,'after':after}
# incremental PFADD return values for small
cmd('DEL','inc'); out['inc']=[cmd('PFADD','inc',e) for e in [b'a',b'b',b'a',b'',b'c',b'\x00\xff']]
out['inc_snap']=snap('inc'); out['inc_count']=cmd('PFCOUNT','inc'); out['inc_after']=snap('inc')
# low sparse max bytes
cmd('CONFIG','SET','hll-sparse-max-bytes','200')
for n in [10,50,100,200]:
    key='low%d'%n
    pfadd_all(key, ascii_elems(n,'x'))
    out[key]={'before':snap(key),'count':cmd('PFCOUNT',key),'after':snap(key)}
cmd('CONFIG','SET','hll-sparse-max-bytes','3000')
# merges
out['merge_ss']={'r':cmd('PFMERGE','m1','ascii100','bin100'),'snap':snap('m1'),'count':cmd('PFCOUNT','m1'),'multi':cmd('PFCOUNT','ascii100','bin100')}
out['merge_sd']={'r':cmd('PFMERGE','m2','ascii100','ascii5000'),'snap':snap('m2'),'count':cmd('PFCOUNT','m2'),'multi':cmd('PFCOUNT','ascii100','ascii5000')}
# merge into existing sparse dest
cmd('PFADD','m3',*ascii_elems(20,'y'))
out['merge_into']={'r':cmd('PFMERGE','m3','bin10','ascii10'),'snap':snap('m3'),'count':cmd('PFCOUNT','m3')}
out['merge_none']={'r':cmd('PFMERGE','m4'),'snap':snap('m4')}
out['merge_big']={'r':cmd('PFMERGE','m5','ascii1000','bin1000','ascii3000'),'snap':snap('m5'),'count':cmd('PFCOUNT','m5'),'multi':cmd('PFCOUNT','ascii1000','bin1000','ascii3000')}
out['merge_promote']={'r':cmd('PFMERGE','m6','ascii1000','bin1000'),'snap':snap('m6'),'count':cmd('PFCOUNT','m6')}
out['recount']={'add':cmd('PFADD','inc','brand-new'),'snap':snap('inc'),'count':cmd('PFCOUNT','inc'),'after':snap('inc')}
# corrupted / invalid
def setraw(k,v): cmd('SET',k,v)
bad=b'HYLL\x01\x00\x00\x00'+b'\x00'*7+b'\x80'+b'\x7f\xfe'  # XZERO 16383 -> total 16383
setraw('bad1',bad)
out['bad1']={'count':cmd('PFCOUNT','bad1'),'add':cmd('PFADD','bad1','zz'),'snap':snap('bad1'),'merge':cmd('PFMERGE','bm','bad1'),'multi':cmd('PFCOUNT','bad1','ascii10')}
setraw('bad2',b'HYLL\x02'+b'\x00'*11)
out['bad2']={'count':cmd('PFCOUNT','bad2')}
setraw('bad3',b'HYLL\x00'+b'\x00'*11)
out['bad3']={'count':cmd('PFCOUNT','bad3')}
setraw('bad4',b'HYLL\x01\x00\x00\x00'+b'\x00'*7)
out['bad4']={'count':cmd('PFCOUNT','bad4')}
setraw('bad5',b'HYLL\x01\x00\x00\x00'+b'\x00'*8)   # sparse with no opcodes
out['bad5']={'count':cmd('PFCOUNT','bad5'),'add':cmd('PFADD','bad5','a')}
# valid cached card: sparse with XZERO but card cached 12345 valid
setraw('cached',b'HYLL\x01\x00\x00\x00'+(12345).to_bytes(8,'little')+b'\x7f\xff')
out['cached']={'count':cmd('PFCOUNT','cached')}
# XZERO truncated at end (only first byte)
setraw('bad6',b'HYLL\x01\x00\x00\x00'+b'\x00'*7+b'\x80'+b'\x7f')
out['bad6']={'count':cmd('PFCOUNT','bad6'),'add':cmd('PFADD','bad6','a'),'snap':snap('bad6')}
# VAL overflow
setraw('bad7',b'HYLL\x01\x00\x00\x00'+b'\x00'*7+b'\x80'+b'\x7f\xfe'+b'\x81')  # 16383 zero + VAL len2 -> overflow
out['bad7']={'count':cmd('PFCOUNT','bad7'),'add':cmd('PFADD','bad7','a'),'snap':snap('bad7')}
def conv(o):
    if isinstance(o,bytes): return {'bytes':o.hex()}
    if isinstance(o,tuple): return {'err':o[1]}
    if isinstance(o,dict): return {k:conv(v) for k,v in o.items()}
    if isinstance(o,list): return [conv(x) for x in o]
    return o
json.dump(conv(out),open(sys.argv[2],'w'),indent=1)
print('ok')
