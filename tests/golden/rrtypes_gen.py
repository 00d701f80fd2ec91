#!/usr/bin/env python3
"""Writes rrtypes.tsv and rrtypes_noncanonical.tsv.

The wire hex is built here field by field from the RFC layouts (an encoder
independent of the C++ code under test), so the C++ test compares two separate
implementations. Presentation strings are written by hand in canonical form and
were cross-checked with BIND's named-compilezone (rrtypes_bind_check.py).
"""
import base64
import ipaddress
import os

def u8(v): return bytes([v])
def u16(v): return v.to_bytes(2, 'big')
def u32(v): return v.to_bytes(4, 'big')
def a(s): return ipaddress.IPv4Address(s).packed
def aaaa(s): return ipaddress.IPv6Address(s).packed
def name(*labels):
    """Labels as raw bytes/str, root implied."""
    out = b''
    for l in labels:
        l = l.encode('latin-1') if isinstance(l, str) else l
        assert 0 < len(l) <= 63
        out += bytes([len(l)]) + l
    return out + b'\0'
def dn(s):  # plain dotted name without escapes
    return name(*[l for l in s.split('.') if l])
def cs(b):
    b = b.encode('latin-1') if isinstance(b, str) else b
    assert len(b) <= 255
    return bytes([len(b)]) + b

D32 = bytes(range(0x10, 0x30))  # 32 octets
D20 = bytes(range(0xa0, 0xb4))
KEY = bytes(range(1, 40))

rows = [
    ('A', '192.0.2.1', a('192.0.2.1')),
    ('A', '0.0.0.0', a('0.0.0.0')),
    ('A', '255.255.255.255', a('255.255.255.255')),
    ('AAAA', '2001:db8::1', aaaa('2001:db8::1')),
    ('AAAA', '::', aaaa('::')),
    ('AAAA', '2001:db8:1:2:3:4:5:6', aaaa('2001:db8:1:2:3:4:5:6')),
    ('AAAA', '::ffff:192.0.2.1', aaaa('::ffff:192.0.2.1')),
    ('NS', 'ns1.example.com.', dn('ns1.example.com')),
    ('NS', '.', b'\0'),
    ('CNAME', 'www.example.com.', dn('www.example.com')),
    ('CNAME', 'a\\.b\\032c\\\\d.example.', name('a.b c\\d', 'example')),
    ('CNAME', '\\000\\255.example.', name(b'\x00\xff', 'example')),
    ('SOA', 'ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300',
     dn('ns1.example.com') + dn('hostmaster.example.com') + u32(2024010101) + u32(3600) + u32(900)
     + u32(604800) + u32(300)),
    ('SOA', '. . 0 0 0 0 4294967295', b'\0\0' + u32(0) * 4 + u32(4294967295)),
    ('PTR', 'host.example.', dn('host.example')),
    ('HINFO', '"INTEL-386" "Linux"', cs('INTEL-386') + cs('Linux')),
    ('HINFO', '"" "a b"', cs('') + cs('a b')),
    ('MX', '10 mail.example.com.', u16(10) + dn('mail.example.com')),
    ('MX', '0 .', u16(0) + b'\0'),
    ('MX', '65535 mx.example.', u16(65535) + dn('mx.example')),
    ('TXT', '"hello world"', cs('hello world')),
    ('TXT', '"a" "b" "c"', cs('a') + cs('b') + cs('c')),
    ('TXT', '""', cs('')),
    ('TXT', '"" "x" ""', cs('') + cs('x') + cs('')),
    ('TXT', '"quote\\"back\\\\slash"', cs('quote"back\\slash')),
    ('TXT', '"tab\\009nl\\010del\\127hi\\255"', cs(b'tab\tnl\ndel\x7fhi\xff')),
    ('TXT', '"v=spf1 ip4:192.0.2.0/24 -all"', cs('v=spf1 ip4:192.0.2.0/24 -all')),
    ('TXT', '"semi;colon (paren) @at $dollar"', cs('semi;colon (paren) @at $dollar')),
    ('TXT', '"' + 'x' * 255 + '"', cs('x' * 255)),
    ('RP', 'admin.example.com. txt.example.com.', dn('admin.example.com') + dn('txt.example.com')),
    ('RP', '. .', b'\0\0'),
    ('SRV', '10 60 5060 sip.example.com.', u16(10) + u16(60) + u16(5060) + dn('sip.example.com')),
    ('SRV', '0 0 0 .', u16(0) * 3 + b'\0'),
    ('NAPTR', '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
     u16(100) + u16(10) + cs('U') + cs('E2U+sip') + cs('!^.*$!sip:info@example.com!') + b'\0'),
    ('NAPTR', '10 100 "S" "SIP+D2U" "" _sip._udp.example.com.',
     u16(10) + u16(100) + cs('S') + cs('SIP+D2U') + cs('') + dn('_sip._udp.example.com')),
    ('DNAME', 'target.example.', dn('target.example')),
    ('DS', '12345 8 2 ' + D32.hex(), u16(12345) + u8(8) + u8(2) + D32),
    ('DS', '1 13 1 ' + D20.hex(), u16(1) + u8(13) + u8(1) + D20),
    ('SSHFP', '1 1 ' + D20.hex(), u8(1) + u8(1) + D20),
    ('SSHFP', '4 2 ' + D32.hex(), u8(4) + u8(2) + D32),
    ('DNSKEY', '257 3 8 ' + base64.b64encode(KEY).decode(), u16(257) + u8(3) + u8(8) + KEY),
    ('DNSKEY', '256 3 13 ' + base64.b64encode(KEY[:32]).decode(), u16(256) + u8(3) + u8(13) + KEY[:32]),
    ('TLSA', '3 1 1 ' + D32.hex(), u8(3) + u8(1) + u8(1) + D32),
    ('TLSA', '0 0 0 00', u8(0) * 3 + b'\0'),
    ('SPF', '"v=spf1 -all"', cs('v=spf1 -all')),
    ('SPF', '"v=spf1" "-all"', cs('v=spf1') + cs('-all')),
    ('CAA', '0 issue "ca.example.net"', u8(0) + cs('issue') + b'ca.example.net'),
    ('CAA', '128 iodef "mailto:security@example.com"', u8(128) + cs('iodef') + b'mailto:security@example.com'),
    ('CAA', '0 issue ""', u8(0) + cs('issue')),
    ('CAA', '0 issuewild ";"', u8(0) + cs('issuewild') + b';'),
    ('CAA', '0 tbs "q\\"\\\\\\255"', u8(0) + cs('tbs') + b'q"\\\xff'),
    ('ALIAS', 'target.example.', dn('target.example')),
    ('ALIAS', 'elb-123.us-east-1.elb.amazonaws.com.', dn('elb-123.us-east-1.elb.amazonaws.com')),
]
unknown = [
    ('TYPE65534', bytes.fromhex('abcdef')),
    ('TYPE65534', b''),
    ('TYPE65280', bytes(range(0, 40))),
]

# Inputs that are accepted but not canonical: (type, input, canonical, wire).
noncanonical = [
    ('A', '\\# 4 c0000201', '192.0.2.1', a('192.0.2.1')),
    ('a', '10.0.0.1', '10.0.0.1', a('10.0.0.1')),
    ('TYPE1', '10.0.0.1', '10.0.0.1', a('10.0.0.1')),
    ('AAAA', '2001:DB8:0:0:0:0:0:1', '2001:db8::1', aaaa('2001:db8::1')),
    ('SOA', 'ns1.example.com. hostmaster.example.com. 1 1h 15M 1W 5m30s',
     'ns1.example.com. hostmaster.example.com. 1 3600 900 604800 330',
     dn('ns1.example.com') + dn('hostmaster.example.com') + u32(1) + u32(3600) + u32(900) + u32(604800)
     + u32(330)),
    ('SOA', 'a. b. 4294967295 1d2h3m4s 2w 0s 1H30M',
     'a. b. 4294967295 93784 1209600 0 5400',
     dn('a') + dn('b') + u32(4294967295) + u32(93784) + u32(1209600) + u32(0) + u32(5400)),
    ('TXT', 'hello world', '"hello" "world"', cs('hello') + cs('world')),
    ('TXT', '"\\h\\e\\l\\l\\o"', '"hello"', cs('hello')),
    ('TXT', '"\\065\\066C"', '"ABC"', cs('ABC')),
    ('TXT', '\\# 6 0568656c6c6f', '"hello"', cs('hello')),
    ('TXT', '\\# 6 05 68 65 6c 6c 6f', '"hello"', cs('hello')),
    ('TXT', '\\# 6 0 56 8656C 6C6F', '"hello"', cs('hello')),
    ('MX', '010 MAIL.Example.COM.', '10 MAIL.Example.COM.', u16(10) + dn('MAIL.Example.COM')),
    ('DS', '12345 8 2 ' + D32.hex().upper()[:20] + ' ' + D32.hex().upper()[20:],
     '12345 8 2 ' + D32.hex(), u16(12345) + u8(8) + u8(2) + D32),
    ('DNSKEY', '257 3 8 ' + base64.b64encode(KEY).decode()[:12] + ' ' + base64.b64encode(KEY).decode()[12:],
     '257 3 8 ' + base64.b64encode(KEY).decode(), u16(257) + u8(3) + u8(8) + KEY),
    ('CAA', '0 issue ca.example.net', '0 issue "ca.example.net"', u8(0) + cs('issue') + b'ca.example.net'),
    ('CAA', '0 ISSUE "x"', '0 ISSUE "x"', u8(0) + cs('ISSUE') + b'x'),
    ('HINFO', 'PC Linux', '"PC" "Linux"', cs('PC') + cs('Linux')),
    ('alias', 'Target.Example.', 'Target.Example.', dn('Target.Example')),
    ('TYPE65534', '\\# 3 ABCDEF', '\\# 3 abcdef', bytes.fromhex('abcdef')),
    ('TYPE65534', '\\# 3 ab cd ef', '\\# 3 abcdef', bytes.fromhex('abcdef')),
    ('SRV', '\\# 7 00010002000300', '1 2 3 .', u16(1) + u16(2) + u16(3) + b'\0'),
]

def generic(w):
    return '\\# %d' % len(w) + (' ' + w.hex() if w else '')

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'rrtypes.tsv'), 'w') as f:
    f.write('# TYPE\tpresentation (canonical)\tRFC 3597 generic form\twire hex. Generated by rrtypes_gen.py\n')
    for t, text, w in rows:
        f.write('%s\t%s\t%s\t%s\n' % (t, text, generic(w), w.hex()))
    for t, w in unknown:
        f.write('%s\t%s\t%s\t%s\n' % (t, generic(w), generic(w), w.hex()))
with open(os.path.join(here, 'rrtypes_noncanonical.tsv'), 'w') as f:
    f.write('# TYPE\taccepted input\tcanonical presentation\twire hex. Generated by rrtypes_gen.py\n')
    for t, text, canon, w in noncanonical:
        f.write('%s\t%s\t%s\t%s\n' % (t, text, canon, w.hex()))
