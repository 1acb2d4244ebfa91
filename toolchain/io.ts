/** Where a command writes: the process's streams, or a test's buffers. */
export interface Io {
    out: { write(text: string): unknown };
    err: { write(text: string): unknown };
}

export const processIo: Io = { out: process.stdout, err: process.stderr };
