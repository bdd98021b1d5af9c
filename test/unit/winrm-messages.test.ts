// WinRM message handling without a network: the XML reader, WWW-Authenticate
// parsing, the encrypted multipart framing, WS-Man reply parsing, the
// credential schema, and how MIT's messages become report codes.
import { describe, expect, it } from 'vitest';
import { NtlmSecurity } from '../../src-delegate/connection/winrm/ntlm.js';
import { openBody, parseChallenges, sealBody, splitEncryptedBody, type MessageSealer } from '../../src-delegate/connection/winrm/transport.js';
import { parseXml, find, XmlError } from '../../src-delegate/connection/winrm/xml.js';
import { COMMAND_STATE_DONE, parseCommandId, parseFault, parseIdentify, parseReceive, parseShellId } from '../../src-delegate/connection/winrm/wsman.js';
import { winrmCredentialSchema, winrmTargetSchema } from '../../src-delegate/connection/winrm/credential.js';
import { classifyKerberosError, parseKlist } from '../../src-delegate/connection/winrm/kerberos-auth.js';

describe('XML reader', () => {
  it('reads namespaced elements by local name, with entities and CDATA', () => {
    const root = parseXml('<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body a=\'1 > 0\'><w:Text>a &amp; b &#x41;<![CDATA[<raw>]]></w:Text><!-- note --></s:Body></s:Envelope>');
    expect(root.local).toBe('Envelope');
    expect(find(root, 'Body')?.attrs.a).toBe('1 > 0');
    expect(find(root, 'Text')?.text).toBe('a & b A<raw>');
  });

  it('refuses DOCTYPE (entity expansion) and malformed documents', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toThrow(XmlError);
    expect(() => parseXml('<a><b></a>')).toThrow(XmlError);
    expect(() => parseXml('<a>')).toThrow(XmlError);
    expect(() => parseXml('<a/><b/>')).toThrow(XmlError);
  });
});

describe('WWW-Authenticate', () => {
  it('splits schemes from separate lines and from one comma-separated line', () => {
    expect(parseChallenges(['Negotiate', 'Basic realm="WSMAN"'])).toEqual([
      { scheme: 'Negotiate', param: '' },
      { scheme: 'Basic', param: 'realm="WSMAN"' },
    ]);
    expect(parseChallenges(['Negotiate TlRMTVNTUAACAAAA==, Basic realm="WSMAN", charset="UTF-8"'])).toEqual([
      { scheme: 'Negotiate', param: 'TlRMTVNTUAACAAAA==' },
      { scheme: 'Basic', param: 'realm="WSMAN", charset="UTF-8"' },
    ]);
  });
});

describe('encrypted message framing', () => {
  const pair = () => {
    const client = new NtlmSecurity(Buffer.alloc(16, 4), 'client');
    const server = new NtlmSecurity(Buffer.alloc(16, 4), 'server');
    const sealer = (side: NtlmSecurity): MessageSealer => ({
      protocol: 'application/HTTP-SPNEGO-session-encrypted',
      description: 'test',
      wrap: async (plain) => {
        const { signature, sealed } = side.seal(plain);
        return { header: signature, data: sealed };
      },
      unwrap: async (header, data) => side.unseal(header, data),
    });
    return { client: sealer(client), server: sealer(server) };
  };

  it('frames like pywinrm: boundary, original length, signature length, signature, data', async () => {
    const { client, server } = pair();
    const plain = Buffer.from('<s:Envelope/>');
    const { body, contentType } = await sealBody(client, plain);
    expect(contentType).toBe('multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"');
    const head =
      '--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n' +
      '\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=13\r\n' +
      '--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n';
    expect(body.subarray(0, head.length).toString('latin1')).toBe(head);
    expect(body.readUInt32LE(head.length)).toBe(16);
    expect(body.toString('latin1').endsWith('--Encrypted Boundary--\r\n')).toBe(true);
    expect(splitEncryptedBody(body)).toMatchObject({ length: 13, header: expect.any(Buffer) });
    expect((await openBody(server, body)).toString()).toBe('<s:Envelope/>');
  });

  it('rejects a body whose declared length differs from what decrypts', async () => {
    const { client, server } = pair();
    const { body } = await sealBody(client, Buffer.from('<s:Envelope/>'));
    const forged = Buffer.from(body.toString('latin1').replace('Length=13', 'Length=12'), 'latin1');
    await expect(openBody(server, forged)).rejects.toThrow(/length/);
  });
});

describe('WS-Man replies', () => {
  const envelope = (body: string) =>
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header/><s:Body>${body}</s:Body></s:Envelope>`;

  it('reads Identify', () => {
    const info = parseIdentify(
      '<s:Envelope xmlns:s="a" xmlns:wsmid="b"><s:Body><wsmid:IdentifyResponse><wsmid:ProtocolVersion>p</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion><wsmid:SecurityProfiles><wsmid:SecurityProfileName>x</wsmid:SecurityProfileName></wsmid:SecurityProfiles></wsmid:IdentifyResponse></s:Body></s:Envelope>',
    );
    expect(info).toEqual({ protocolVersion: 'p', productVendor: 'Microsoft Corporation', productVersion: 'OS: 0.0.0 SP: 0.0 Stack: 3.0', securityProfiles: ['x'] });
  });

  it('reads the shell id from the selector, and the command id', () => {
    expect(parseShellId(parseXml(envelope('<x:ResourceCreated xmlns:x="t"><w:SelectorSet><w:Selector Name="ShellId">ABC</w:Selector></w:SelectorSet></x:ResourceCreated>')))).toBe('ABC');
    expect(parseCommandId(parseXml(envelope('<rsp:CommandResponse><rsp:CommandId>C1</rsp:CommandId></rsp:CommandResponse>')))).toBe('C1');
  });

  it('decodes streams across a Receive and reads the exit code when Done', () => {
    const running = parseReceive(parseXml(envelope(`<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C">${Buffer.from('out').toString('base64')}</rsp:Stream><rsp:Stream Name="stderr" CommandId="C">${Buffer.from('err').toString('base64')}</rsp:Stream><rsp:CommandState CommandId="C" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"/></rsp:ReceiveResponse>`)));
    expect(running).toEqual({ stdout: Buffer.from('out'), stderr: Buffer.from('err'), done: false, exitCode: null });
    const done = parseReceive(parseXml(envelope(`<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C" End="true"></rsp:Stream><rsp:CommandState CommandId="C" State="${COMMAND_STATE_DONE}"><rsp:ExitCode>3</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`)));
    expect(done).toMatchObject({ done: true, exitCode: 3 });
  });

  it('reads a fault with its SOAP codes, reason and WSManFault code', () => {
    const fault = parseFault(parseXml(envelope(
      '<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="host"><f:Message>timed <f:b>out</f:b></f:Message></f:WSManFault></s:Detail></s:Fault>',
    )));
    expect(fault).toEqual({
      code: 's:Receiver',
      subcode: 'w:TimedOut',
      reason: 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
      wsmanCode: '2150858793',
      message: 'timed out',
      machine: 'host',
    });
    expect(parseFault(parseXml(envelope('<rsp:SignalResponse/>')))).toBeNull();
  });
});

describe('credential and target schema', () => {
  const base = { username: 'alice', auth: 'ntlm', password: 'pw-123', useSsl: false, port: 5985 } as const;

  it('applies defaults', () => {
    expect(winrmCredentialSchema.parse(base)).toMatchObject({ skipCertCheck: false, useNoProfile: false, allowBasicOverHttp: false });
  });

  it('needs a password, or for Kerberos a password or keytab and a realm or domain', () => {
    expect(winrmCredentialSchema.safeParse({ ...base, password: undefined }).success).toBe(false);
    expect(winrmCredentialSchema.safeParse({ ...base, auth: 'kerberos', password: undefined }).success).toBe(false);
    expect(winrmCredentialSchema.safeParse({ ...base, auth: 'kerberos', realm: 'EXAMPLE.TEST', keytabPath: '/k', password: undefined }).success).toBe(true);
    expect(winrmCredentialSchema.safeParse({ ...base, auth: 'kerberos' }).success).toBe(false);
  });

  it('refuses realm, KDC and host values that could rewrite a krb5.conf', () => {
    expect(winrmCredentialSchema.safeParse({ ...base, auth: 'kerberos', realm: 'EXAMPLE.TEST\n[realms]' }).success).toBe(false);
    expect(winrmCredentialSchema.safeParse({ ...base, auth: 'kerberos', realm: 'R', kdc: 'kdc }' }).success).toBe(false);
    expect(winrmTargetSchema.safeParse({ host: 'a b' }).success).toBe(false);
    expect(winrmTargetSchema.safeParse({ host: 'win01.corp.example', port: 5986 }).success).toBe(true);
  });
});

describe('Kerberos diagnostics', () => {
  it('maps MIT messages to report codes', () => {
    const cases: [string, string][] = [
      ["kinit: Clock skew too great while getting initial credentials", 'CLOCK_SKEW'],
      ["kinit: Cannot contact any KDC for realm 'EXAMPLE.TEST' while getting initial credentials", 'KDC_UNREACHABLE'],
      ["kinit: Client 'nobody@EXAMPLE.TEST' not found in Kerberos database while getting initial credentials", 'PRINCIPAL_UNKNOWN'],
      ['kinit: Password incorrect while getting initial credentials', 'AUTH_REJECTED'],
      ['kinit: Keytab contains no suitable keys for bob@EXAMPLE.TEST while getting initial credentials', 'WRONG_KEYTAB'],
      ['Unspecified GSS failure.  Minor code may provide more information: Server HTTP/win01@EXAMPLE.TEST not found in Kerberos database', 'NO_SERVICE_PRINCIPAL'],
    ];
    for (const [message, code] of cases) expect(classifyKerberosError(message)).toBe(code);
  });

  it('reads ticket times from klist and the KDC clock offset in whole seconds', () => {
    const requestedAt = new Date(2026, 10, 30, 3, 48, 17, 400).getTime();
    const output = 'Ticket cache: FILE:/tmp/cc\nDefault principal: alice@EXAMPLE.TEST\n\nValid starting     Expires            Service principal\n11/30/26 03:50:17  12/01/26 03:48:17  krbtgt/EXAMPLE.TEST@EXAMPLE.TEST\n';
    expect(parseKlist(output, requestedAt)).toEqual({
      ticketStart: new Date(2026, 10, 30, 3, 50, 17).toISOString(),
      ticketExpires: new Date(2026, 11, 1, 3, 48, 17).toISOString(),
      ticketService: 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST',
      clockSkewSeconds: 120,
    });
  });
});
