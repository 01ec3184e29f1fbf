import { join } from 'node:path';
import { digestHex } from './content-digest.js';

/**
 * Where things live under the image root (`<data-root>/image`):
 * - `blobs/sha256/<hex>`: configs, manifests, uncompressed layer tars (by diff id)
 * - `layers/<chain-hex>/diff`: a layer unpacked once, shared by images; `layer.json` beside it
 * - `images.json`, `repositories.json`: metadata, written atomically
 * - `tmp/`: staging; emptied at open, so a crash leaves nothing visible
 */
export class ImageLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get blobsDir(): string { return join(this.root, 'blobs', 'sha256'); }
  get layersDir(): string { return join(this.root, 'layers'); }
  get tmpDir(): string { return join(this.root, 'tmp'); }
  get imagesFile(): string { return join(this.root, 'images.json'); }
  get repositoriesFile(): string { return join(this.root, 'repositories.json'); }

  blob(digest: string): string { return join(this.blobsDir, digestHex(digest)); }
  layerDir(chainId: string): string { return join(this.layersDir, digestHex(chainId)); }
  layerDiff(chainId: string): string { return join(this.layerDir(chainId), 'diff'); }
  layerMeta(chainId: string): string { return join(this.layerDir(chainId), 'layer.json'); }
}
