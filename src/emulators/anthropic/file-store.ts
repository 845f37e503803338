/**
 * Files uploaded to the emulator, kept in memory for its lifetime (the Files API:
 * https://platform.claude.com/docs/en/build-with-claude/files). One store per emulator: a file_id
 * belongs to the emulator (the workspace) it was uploaded to, as on the real API.
 */
import type { EmulatorState } from "../shared/emulator-state.js";

/** A file's metadata as the API answers it (the SDK's FileMetadata). */
export interface FileMetadata {
  id: string;
  type: "file";
  filename: string;
  mime_type: string;
  size_bytes: number;
  created_at: string;
  downloadable: boolean;
}

interface StoredFile {
  metadata: FileMetadata;
  bytes: Buffer;
}

export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  /**
   * `downloadable`: whether uploads may be downloaded. The API lets only files that skills or the
   * code execution tool created be downloaded; an emulator that says yes stands in for those.
   */
  constructor(
    private readonly state: EmulatorState,
    private readonly downloadable: boolean,
  ) {}

  get size(): number {
    return this.files.size;
  }

  clear(): void {
    this.files.clear();
  }

  add(filename: string, mimeType: string, bytes: Buffer): FileMetadata {
    const metadata: FileMetadata = {
      id: this.state.ids.file(),
      type: "file",
      filename,
      mime_type: mimeType,
      size_bytes: bytes.length,
      created_at: new Date(this.state.clock.now()).toISOString(),
      downloadable: this.downloadable,
    };
    this.files.set(metadata.id, { metadata, bytes });
    return metadata;
  }

  /** Newest first, as the API lists them. */
  list(): FileMetadata[] {
    return [...this.files.values()].map((file) => file.metadata).reverse();
  }

  metadata(id: string): FileMetadata | undefined {
    return this.files.get(id)?.metadata;
  }

  content(id: string): Buffer | undefined {
    return this.files.get(id)?.bytes;
  }

  has(id: string): boolean {
    return this.files.has(id);
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }
}
