import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFiles, profileLinksHtml } from './profileLinks.js';

describe('profileLinks', () => {
  it('links every clinic HTML report in profile/, sorted, relative to the run directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-profile-links-'));
    fs.mkdirSync(path.join(dir, 'profile'));
    for (const name of ['flame.html', 'doctor.html', 'clinic.log']) fs.writeFileSync(path.join(dir, 'profile', name), 'x');
    expect(profileFiles(dir)).toEqual(['profile/doctor.html', 'profile/flame.html']);
    const html = profileLinksHtml(dir);
    expect(html).toContain('<a href="profile/doctor.html">clinic doctor</a>');
    expect(html).toContain('<a href="profile/flame.html">clinic flame</a>');
    expect(html).not.toContain('clinic.log');
  });

  it('adds nothing to the report of a run that was not profiled', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-profile-links-'));
    expect(profileFiles(dir)).toEqual([]);
    expect(profileLinksHtml(dir)).toBe('');
  });
});
