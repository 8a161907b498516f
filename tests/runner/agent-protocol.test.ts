import { describe, expect, it } from 'vitest';
import { decodeEntry } from '@/runner/agent/entry';
import { AgentFsError, decodeErr } from '@/runner/agent/errors';
import { decodeTlvs, EntryTag, encodeFrame, encodeTlvs, FrameDecoder, MAX_PAYLOAD } from '@/runner/agent/protocol';

describe('agent protocol', () => {
  it('encodes frames and TLVs big-endian', () => {
    expect([...encodeFrame(0x11, Buffer.from('hi'))]).toEqual([0x11, 0, 0, 0, 2, 0x68, 0x69]);
    expect([
      ...encodeTlvs([
        [1, 'a'],
        [1, Buffer.from([0, 255])],
      ]),
    ]).toEqual([1, 0, 0, 0, 1, 0x61, 1, 0, 0, 0, 2, 0, 255]);
    expect(() => encodeFrame(1, Buffer.alloc(MAX_PAYLOAD + 1))).toThrow(RangeError);
    const t = decodeTlvs(
      encodeTlvs([
        [1, 'x'],
        [2, 'y'],
        [1, 'z'],
      ]),
    );
    expect(t.get(1)?.map(String)).toEqual(['x', 'z']);
    expect(() => decodeTlvs(Buffer.from([1, 0, 0, 0, 9, 1]))).toThrow();
  });

  it('decodes frames split at every byte boundary', () => {
    const stream = Buffer.concat([
      encodeFrame(0x10, Buffer.from([0, 0, 1, 0])),
      encodeFrame(0x11, Buffer.from('hello')),
      encodeFrame(0x3f),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(frames.map((f) => [f.type, f.payload.toString('hex')])).toEqual([
        [0x10, '00000100'],
        [0x11, Buffer.from('hello').toString('hex')],
        [0x3f, ''],
      ]);
      expect(d.pending).toBe(0);
    }
    const bytewise = new FrameDecoder();
    const got = [...stream].flatMap((b) => bytewise.push(Buffer.from([b])));
    expect(got).toHaveLength(3);
  });

  it('rejects an oversized frame header', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0x11, 0x00, 0x20, 0x00, 0x00]))).toThrow(/too large/);
  });

  it('decodes entries and errors', () => {
    const e = decodeEntry(
      encodeTlvs([
        [EntryTag.NAME, 'x'],
        [EntryTag.TYPE, 'l'],
        [EntryTag.SIZE, '4'],
        [EntryTag.MODE, '4755'],
        [EntryTag.MTIME, '1000'],
        [EntryTag.TARGET, '/'],
        [EntryTag.UID, '1000'],
        [EntryTag.GID, '100'],
      ]),
    );
    expect(e).toEqual({
      name: 'x',
      type: 'symlink',
      size: 4,
      mode: 0o4755,
      mtime: new Date(1000),
      target: '/',
      uid: 1000,
      gid: 100,
    });
    const err = decodeErr(Buffer.concat([Buffer.from([0, 0, 0, 13]), Buffer.from('Permission denied: /x')]));
    expect(err).toBeInstanceOf(AgentFsError);
    expect([err.errno, err.code, err.message]).toEqual([13, 'EACCES', 'Permission denied: /x']);
  });
});
