#!/usr/bin/env python3
"""Writes, one JSON line each, random values of the schema node of every CEL rule of the shared
CRDs: {"path", "message", "rule", "self"}. Values are typed as the schema says but otherwise
arbitrary, biased towards the fields and literals the rule mentions so both verdicts occur.
Usage: gen_cases.py SHARED_DIR [CASES_PER_RULE]"""
import sys, yaml, json, random, re
random.seed(1)
SHARED=sys.argv[1]
# Transition rules (oldSelf) are left out: they need an old value.
FILES=[('gateway.networking.k8s.io_httproutes.yaml','v1'),('gateway.networking.k8s.io_gateways.yaml','v1'),
       ('gateway.envoyproxy.io_securitypolicies.yaml','v1alpha1'),('gateway.envoyproxy.io_clienttrafficpolicies.yaml','v1alpha1'),
       ('gateway.envoyproxy.io_envoyproxies.yaml','v1alpha1'),('gateway.envoyproxy.io_securitypolicies.v1.5.0.yaml','v1alpha1')]
N=int(sys.argv[2]) if len(sys.argv)>2 else 200
def literals(rule):
    lits=set(re.findall(r"'([^']*)'", rule))|set(re.findall(r'"([^"]*)"', rule))
    return [l for l in lits if len(l)<40]
PIECES=['/','a','//','/./','/../','%2f','%2F','#','/..','/.',' ','%zz','%20','x.y','A','*','1.2','1.3']
def gen_string(s, lits):
    if s.get('enum') and random.random()<0.8: return random.choice(s['enum'])
    r=random.random()
    if r<0.3: return random.choice(['a','b',''])
    if lits and r<0.6: return random.choice(lits)
    if r<0.8: return ''.join(random.choice(PIECES+lits) for _ in range(random.randint(1,3)))
    if s.get('format')=='duration' or 'duration' in (s.get('pattern') or '') or 'ms' in (s.get('pattern') or ''):
        return random.choice(['0s','1s','10s','1m','500ms','2h','61s'])
    return random.choice(['', 'x', 'Service', 'gateway.networking.k8s.io', '10.0.0.1', '1s', '5s', 'POST', 'get', 'Host', 'authorization'])
def gen(s, lits, depth, mentioned):
    if not isinstance(s, dict): return None
    if s.get('x-kubernetes-int-or-string'):
        return random.randint(0,5) if random.random()<0.5 else gen_string({}, lits)
    t=s.get('type')
    if t=='object' or 'properties' in s:
        out={}
        props=s.get('properties') or {}
        if depth>3: return out
        for k,v in props.items():
            p=0.6 if k in mentioned else 0.25
            if k in (s.get('required') or []): p=0.9
            if random.random()<p:
                val=gen(v,lits,depth+1,mentioned)
                if val is not None: out[k]=val
        ap=s.get('additionalProperties')
        if isinstance(ap,dict) and not props:
            for i in range(random.randint(0,2)):
                key=random.choice(['a','B_x/y','example.com/k','a'*70,'x'*260+'/n','ok.io/name'])
                out[key]=gen(ap,lits,depth+1,mentioned)
        return out
    if t=='array':
        return [x for x in (gen(s.get('items',{}),lits,depth+1,mentioned) for _ in range(random.choice([0,1,1,2,2,3]))) if x is not None]
    if t=='string': return gen_string(s,lits)
    if t=='integer':
        nums=[int(l) for l in lits if l.isdigit()]
        return random.choice([0,1,2,3,100,101,5]+nums)
    if t=='number': return random.choice([0,0.5,1,2])
    if t=='boolean': return random.choice([True,False])
    return None
def walk(s, path, out):
    if not isinstance(s, dict): return
    for v in s.get('x-kubernetes-validations', []) or []: out.append((path, v, s))
    for k, v in (s.get('properties') or {}).items(): walk(v, path + '.' + k, out)
    if 'items' in s: walk(s['items'], path + '[]', out)
    if isinstance(s.get('additionalProperties'), dict): walk(s['additionalProperties'], path+'[*]', out)

# Rules whose failing values random generation seldom reaches get values built for them.
def P(t): return {'path': {'type': t, 'value': '/'}}
def prefix_filter(kind):
    path = {'type': random.choice(['ReplacePrefixMatch', 'ReplaceFullPath'])}
    if random.random() < 0.7: path['replacePrefixMatch'] = '/x'
    return {'type': {'requestRedirect': 'RequestRedirect', 'urlRewrite': 'URLRewrite'}[kind], kind: {'path': path}}
def targeted(m):
    if m.startswith('sectionName'):
        refs = [{'group': 'g', 'kind': 'Gateway', 'name': random.choice(['a', 'b'])} for _ in range(random.randint(1, 3))]
        for ref in refs:
            if random.random() < 0.5: ref['namespace'] = random.choice(['n', 'm'])
            if random.random() < 0.5: ref['sectionName'] = random.choice(['s', 't', ''])
        return refs
    if m.startswith('While 16'):
        return [{'matches': [{}] * random.randint(0, 20)} for _ in range(random.randint(0, 16))]
    if 'replacePrefixMatch' in m:
        kind = 'requestRedirect' if 'RequestRedirect' in m else 'urlRewrite'
        fs = [prefix_filter(kind) for _ in range(random.randint(0, 2))]
        s = {'matches': [P(random.choice(['PathPrefix', 'Exact'])) if random.random() < 0.8 else {} for _ in range(random.randint(0, 2))]}
        if m.startswith('Within'): s['backendRefs'] = [{'name': 'x', 'filters': fs}] if random.random() < 0.8 else []
        elif random.random() < 0.9: s['filters'] = fs
        return s
    if m.startswith('backendRequest'):
        d = lambda: random.choice(['0s', '1s', '10s', '1m', '61s', '500ms', '1h', '59m59s'])
        return {k: d() for k in ('request', 'backendRequest') if random.random() < 0.9}
    if m.startswith(('IPAddress', 'Hostname values')):
        return [{'type': random.choice(['IPAddress', 'Hostname']), 'value': random.choice(['1', '2'])} for _ in range(random.randint(0, 3))]
    if m.startswith('Combination'):
        return [dict({'name': 'l', 'port': random.choice([80, 443]), 'protocol': random.choice(['HTTP', 'HTTPS'])},
                     **({'hostname': random.choice(['a', 'b'])} if random.random() < 0.5 else {})) for _ in range(random.randint(1, 3))]
    if m.startswith('if authorization'):
        rules = []
        for _ in range(random.randint(0, 2)):
            r = {'action': 'Allow'}
            if random.random() < 0.7: r['principal'] = {'jwt': {'provider': 'p'}} if random.random() < 0.5 else {'clientCIDRs': ['1.1.1.1/32']}
            rules.append(r)
        s = {'authorization': {'rules': rules}} if random.random() < 0.9 else {}
        if random.random() < 0.5: s['jwt'] = {'providers': []}
        return s
    return None

seen=set()
for f,ver in FILES:
    for d in yaml.safe_load_all(open(SHARED+'/crds/'+f)):
        if not d: continue
        for v in d['spec']['versions']:
            if v['name']!=ver: continue
            acc=[]; walk(v['schema']['openAPIV3Schema'],'',acc)
            for p,r,node in acc:
                key=(r.get('message',''), r['rule'])
                if key in seen or 'oldSelf' in r['rule']: continue
                seen.add(key)
                lits=literals(r['rule'])
                mentioned=set(re.findall(r'\.([A-Za-z_]+)', r['rule']))
                for i in range(N):
                    self_=gen(node,lits,0,mentioned)
                    print(json.dumps({'path':p,'message':r.get('message',''),'rule':r['rule'],'self':self_}))
                    extra=targeted(r.get('message',''))
                    if extra is not None:
                        print(json.dumps({'path':p,'message':r.get('message',''),'rule':r['rule'],'self':extra}))
