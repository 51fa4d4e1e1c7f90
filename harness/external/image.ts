// Which image the external client container runs. Any image with /bin/sh, sleep and curl works;
// the default is the agnhost image the cells already use, so a machine that can run a cell has it.
import { testImages } from '../../clusters/versions.ts';

export const EXTERNAL_CLIENT_IMAGE_ENV = 'CNIMATRIX_EXTERNAL_CLIENT_IMAGE';

/** The external client image: $CNIMATRIX_EXTERNAL_CLIENT_IMAGE, else the pinned agnhost image. */
export function externalClientImage(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[EXTERNAL_CLIENT_IMAGE_ENV]?.trim();
  return configured ? configured : testImages.agnhost;
}
