import { describe, expect, it } from 'vitest';
import { cacheFileName } from './attachment-cache.js';

describe('cacheFileName', () => {
  it('keeps the attachment’s own name and never leaves its folder', () => {
    expect(cacheFileName({ transfer_name: 'IMG.heic', filename: '~/Library/Messages/Attachments/x/IMG_1.heic' })).toBe('IMG.heic');
    expect(cacheFileName({ transfer_name: '', filename: '~/Library/Messages/Attachments/x/IMG_1.heic' })).toBe('IMG_1.heic');
    expect(cacheFileName({ transfer_name: '../../etc/passwd', filename: '' })).toBe('passwd');
    expect(cacheFileName({ transfer_name: '', filename: 'C:\\x\\y.png' })).toBe('y.png');
    expect(cacheFileName({ transfer_name: '..', filename: '' })).toBe('attachment');
    expect(cacheFileName({ transfer_name: '', filename: '' })).toBe('attachment');
    expect(cacheFileName({ transfer_name: 'a\u0000\nb.txt', filename: '' })).toBe('ab.txt');
  });
});
