#!/usr/bin/env python3
"""Cross-checks tests/golden/rrtypes*.tsv against BIND (named-compilezone).

For every row, a zone holding the record in presentation form and one in RFC
3597 generic form are compiled by BIND; both must load, print the same, and
match our canonical presentation (hex compared ignoring case and spaces, since
BIND prints hex upper-case and split). ALIAS is checked as TYPE65401.
Run: python3 tests/golden/rrtypes_bind_check.py   (prints "bad 0" twice when all agree)
"""
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
os.chdir(tempfile.mkdtemp())
rows=[l.rstrip('\n').split('\t') for l in open(HERE + '/rrtypes.tsv') if not l.startswith('#')]
def compile(zone, recs):
    with open('z.db','w') as f:
        f.write('$ORIGIN %s\n$TTL 300\n' % zone)
        f.write('\n'.join(recs)+'\n')
    p=subprocess.run(['named-compilezone','-i','none','-k','ignore','-n','ignore','-M','ignore','-S','ignore','-T','ignore','-W','ignore','-o','-',zone,'z.db'],capture_output=True,text=True)
    return p
bad=0
for i,r in enumerate(rows):
    t,txt,gen=r[0],r[1],r[2]
    if t=='ALIAS': t='TYPE65401'; txt=gen
    if t=='SOA':
        recs=['@ IN SOA '+txt,'@ IN NS ns.']
        recs2=['@ IN SOA '+gen,'@ IN NS ns.']
    else:
        recs=['@ SOA ns. h. 1 2 3 4 5','@ NS ns.','r IN %s %s'%(t,txt)]
        recs2=['@ SOA ns. h. 1 2 3 4 5','@ NS ns.','r IN %s %s'%(t,gen)]
    outs=[]
    for rr in (recs,recs2):
        p=compile('example.',rr)
        if p.returncode!=0:
            print('BIND REJECTS',t,rr[-1],p.stdout,p.stderr); bad+=1; outs.append(None); continue
        want = 'example.' if t=='SOA' else 'r.example.'
        line=[l for l in p.stdout.splitlines() if l.split()[0]==want and l.split()[3]==t][0]
        outs.append(line.split(None,4)[4])
    if outs[0]!=outs[1]: print('TEXT vs GENERIC differ', t, outs); bad+=1
    if outs[0] is None or (outs[0]!=txt and not (t in ('DS','SSHFP','TLSA') or t.startswith('TYPE')) ) or (t in ('DS','SSHFP','TLSA') or t.startswith('TYPE')) and outs[0].replace(' ','').lower()!=txt.replace(' ','').lower(): print('DIFF %s\n  ours: %s\n  bind: %s'%(t,txt,outs[0]))
print('bad',bad,'rows',len(rows))
rows=[l.rstrip('\n').split('\t') for l in open(HERE + '/rrtypes_noncanonical.tsv') if not l.startswith('#')]
bad=0
for r in rows:
    t,inp,canon=r[0].upper(),r[1],r[2]
    if t=='ALIAS': continue
    t={'TYPE1':'A'}.get(t,t)
    recs=(['@ IN SOA '+inp,'@ NS ns.'] if t=='SOA' else ['@ SOA ns. h. 1 2 3 4 5','@ NS ns.','r IN %s %s'%(r[0],inp)])
    p=compile('example.',recs)
    if p.returncode!=0: print('BIND REJECTS',r,p.stdout,p.stderr); bad+=1; continue
    want = 'example.' if t=='SOA' else 'r.example.'
    line=[l for l in p.stdout.splitlines() if l.split()[0]==want and l.split()[3]==t][0]
    out=line.split(None,4)[4]
    if out.replace(' ','').lower()!=canon.replace(' ','').lower(): print('DIFF',r,'bind:',out); bad+=1
print('noncanonical bad',bad,'rows',len(rows))
