import { H2_PREFACE, sniffProtocol } from './front-door';

describe('sniffProtocol', () => {
  it('recognises the HTTP/2 preface, also split across reads', () => {
    expect(sniffProtocol(H2_PREFACE)).toBe('h2');
    expect(sniffProtocol(Buffer.concat([H2_PREFACE, Buffer.from([0, 0, 18, 4])]))).toBe('h2');
    expect(sniffProtocol(H2_PREFACE.subarray(0, 3))).toBe('more');
    expect(sniffProtocol(H2_PREFACE.subarray(0, 23))).toBe('more');
  });

  it('hands anything else to HTTP/1.1 as soon as one byte differs', () => {
    expect(sniffProtocol(Buffer.from('GET / HTTP/1.1\r\n'))).toBe('http1');
    expect(sniffProtocol(Buffer.from('P'))).toBe('more');
    expect(sniffProtocol(Buffer.from('POST / HTTP/1.1\r\n'))).toBe('http1');
    expect(sniffProtocol(Buffer.from('PRI * HTTP/1.1\r\n'))).toBe('http1');
  });
});
