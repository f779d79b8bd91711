import { describe, expect, it } from 'vitest';
import { mediaUrlProblem } from './media-url.js';

describe('mediaUrlProblem', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://127.0.0.1:8080/admin',
    'https://10.1.2.3/plan.pdf',
    'https://172.20.0.5/plan.pdf',
    'https://192.168.1.10/plan.pdf',
    'https://0.0.0.0/plan.pdf',
    'https://[::1]/plan.pdf',
    'https://[fd00::1]/plan.pdf',
    'https://[fe80::1]/plan.pdf',
    'https://[::ffff:127.0.0.1]/plan.pdf',
    'https://localhost/plan.pdf',
    'https://api.localhost/plan.pdf',
    'https://localhost./plan.pdf',
    'https://LocalHost.:8080/admin',
    'https://api.localhost./plan.pdf',
    'https://2130706433/plan.pdf',
    'https://198.18.0.1/plan.pdf',
    'https://[fec0::1]/plan.pdf',
    // IPv4 inside IPv6: IPv4-compatible, NAT64 and 6to4 addresses of 127.0.0.1 and 169.254.169.254.
    'https://[::127.0.0.1]/plan.pdf',
    'https://[64:ff9b::7f00:1]/plan.pdf',
    'https://[64:ff9b::169.254.169.254]/latest/meta-data/',
    'https://[2002:7f00:1::]/plan.pdf',
    'https://[2002:a9fe:a9fe::1]/latest/meta-data/',
    // SIIT's IPv4-translated form, which the mapped-address rule did not recognise, and Teredo.
    'https://[::ffff:0:127.0.0.1]/plan.pdf',
    'https://[::ffff:0:a9fe:a9fe]/latest/meta-data/',
    'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/plan.pdf',
    'https://[100::1]/plan.pdf',
  ])('refuses %s', (url) => {
    expect(mediaUrlProblem(new URL(url))).toMatch(/public host/);
  });

  it('refuses a URL with credentials in it', () => {
    expect(mediaUrlProblem(new URL('https://user:secret@cdn.example.com/plan.pdf'))).toMatch(
      /user or password/,
    );
  });

  it.each([
    'https://cdn.example.com/plan.pdf',
    'https://8.8.8.8/plan.pdf',
    'https://[2001:4860::8888]/x.png',
  ])('lets %s through', (url) => {
    expect(mediaUrlProblem(new URL(url))).toBeNull();
  });
});
