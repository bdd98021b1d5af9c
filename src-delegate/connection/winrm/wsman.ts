/**
 * WS-Management messages for the cmd shell ([MS-WSMV]): the envelopes the
 * probe sends and readers for the replies, faults included. Replies are
 * matched by local name because servers pick their own prefixes.
 */
import { randomUUID } from 'node:crypto';
import { attr, escapeXml, find, findAll, parseXml, path, type XmlElement } from './xml.js';

export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  fault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;

export const ACTIONS = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
  fault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
} as const;

export const CMD_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
export const SIGNAL_TERMINATE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate';
export const COMMAND_STATE_DONE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done';
/** The fault a Receive gets when the command is still running after OperationTimeout: ask again. */
export const RECEIVE_TIMEOUT_FAULT = '2150858793';

export const IDENTIFY_BODY =
  `<s:Envelope xmlns:s="${NS.s}" xmlns:wsmid="${NS.wsmid}"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`;

export interface EnvelopeInput {
  to: string;
  action: string;
  messageId: string;
  shellId?: string;
  options?: Record<string, string>;
  body?: string;
  operationTimeoutSeconds?: number;
}

export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

export function envelope(input: EnvelopeInput): string {
  const options = input.options
    ? `<w:OptionSet>${Object.entries(input.options)
        .map(([name, value]) => `<w:Option Name="${escapeXml(name)}">${escapeXml(value)}</w:Option>`)
        .join('')}</w:OptionSet>`
    : '';
  const selectors = input.shellId ? `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(input.shellId)}</w:Selector></w:SelectorSet>` : '';
  return (
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.wsa}" xmlns:w="${NS.wsman}" xmlns:p="${NS.p}" xmlns:rsp="${NS.rsp}">` +
    '<s:Header>' +
    `<a:To>${escapeXml(input.to)}</a:To>` +
    '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
    '<w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>' +
    `<a:MessageID>${input.messageId}</a:MessageID>` +
    '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>' +
    '<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>' +
    `<w:OperationTimeout>PT${input.operationTimeoutSeconds ?? 20}S</w:OperationTimeout>` +
    `<w:ResourceURI s:mustUnderstand="true">${CMD_RESOURCE_URI}</w:ResourceURI>` +
    `<a:Action s:mustUnderstand="true">${input.action}</a:Action>` +
    selectors +
    options +
    '</s:Header>' +
    `<s:Body>${input.body ?? ''}</s:Body>` +
    '</s:Envelope>'
  );
}

export function createShellBody(): string {
  return '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>';
}

export function commandBody(command: string): string {
  return `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command></rsp:CommandLine>`;
}

export function receiveBody(commandId: string): string {
  return `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`;
}

export function signalBody(commandId: string): string {
  return `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${SIGNAL_TERMINATE}</rsp:Code></rsp:Signal>`;
}

export interface IdentifyInfo {
  protocolVersion: string;
  productVendor: string;
  productVersion: string;
  securityProfiles: string[];
}

export function parseIdentify(xml: string): IdentifyInfo {
  const root = parseXml(xml);
  const response = find(root, 'IdentifyResponse');
  if (!response) throw new WsmanReplyError('the reply to Identify has no IdentifyResponse');
  const text = (local: string) => find(response, local)?.text.trim() ?? '';
  return {
    protocolVersion: text('ProtocolVersion'),
    productVendor: text('ProductVendor'),
    productVersion: text('ProductVersion'),
    securityProfiles: findAll(response, 'SecurityProfileName').map((element) => element.text.trim()),
  };
}

export interface WsmanFault {
  code: string;
  subcode: string;
  reason: string;
  /** The Windows error number from WSManFault/@Code, e.g. 2150858843. */
  wsmanCode: string;
  message: string;
  machine: string;
}

export class WsmanReplyError extends Error {}

export function parseFault(root: XmlElement): WsmanFault | null {
  const fault = find(root, 'Fault');
  if (!fault) return null;
  const wsmanFault = find(fault, 'WSManFault');
  const messageElement = wsmanFault && find(wsmanFault, 'Message');
  return {
    code: path(fault, 'Code', 'Value')?.text.trim() ?? '',
    subcode: path(fault, 'Code', 'Subcode', 'Value')?.text.trim() ?? '',
    reason: path(fault, 'Reason', 'Text')?.text.trim() ?? '',
    wsmanCode: (wsmanFault && attr(wsmanFault, 'Code')) ?? '',
    message: messageElement ? collectText(messageElement).trim() : '',
    machine: (wsmanFault && attr(wsmanFault, 'Machine')) ?? '',
  };
}

function collectText(element: XmlElement): string {
  return element.text + element.children.map(collectText).join('');
}

export function relatesTo(root: XmlElement): string | undefined {
  return find(root, 'RelatesTo')?.text.trim();
}

export function parseShellId(root: XmlElement): string {
  const selector = findAll(root, 'Selector').find((element) => attr(element, 'Name') === 'ShellId');
  const id = (selector ?? find(root, 'ShellId'))?.text.trim();
  if (!id) throw new WsmanReplyError('the reply to Create has no ShellId');
  return id;
}

export function parseCommandId(root: XmlElement): string {
  const id = find(root, 'CommandId')?.text.trim();
  if (!id) throw new WsmanReplyError('the reply to Command has no CommandId');
  return id;
}

export interface ReceiveChunk {
  stdout: Buffer;
  stderr: Buffer;
  done: boolean;
  exitCode: number | null;
}

export function parseReceive(root: XmlElement): ReceiveChunk {
  const streams = findAll(root, 'Stream');
  const decode = (name: string) =>
    Buffer.concat(streams.filter((stream) => attr(stream, 'Name') === name).map((stream) => Buffer.from(stream.text.trim(), 'base64')));
  const state = find(root, 'CommandState');
  const done = (state && attr(state, 'State')) === COMMAND_STATE_DONE;
  const exitText = state && find(state, 'ExitCode')?.text.trim();
  return { stdout: decode('stdout'), stderr: decode('stderr'), done, exitCode: exitText ? Number(exitText) : done ? 0 : null };
}
