// Names of journal segment files: each is named by the first index it was opened to receive.

const NAME = /^journal-(\d{20})\.log$/;

export interface SegmentInfo {
  name: string;
  /**
   * At least the log's last index + 1 when the segment was created, and above the previous
   * segment's: every entry still live in an earlier segment is below it.
   */
  firstIndex: number;
}

export function segmentName(firstIndex: number): string {
  return `journal-${String(firstIndex).padStart(20, '0')}.log`;
}

export function listSegments(names: readonly string[]): SegmentInfo[] {
  const segments: SegmentInfo[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (match !== null) segments.push({ name, firstIndex: Number(match[1]) });
  }
  return segments.sort((a, b) => a.firstIndex - b.firstIndex);
}
