import { describe, expect, test } from '@jest/globals';
import { testImages } from '../../clusters/versions.ts';
import { EXTERNAL_CLIENT_IMAGE_ENV, externalClientImage } from '../../harness/external/image.ts';

describe('externalClientImage', () => {
  test('defaults to the pinned agnhost image, which has sh, sleep and curl', () => {
    expect(externalClientImage({})).toBe(testImages.agnhost);
  });

  test('uses the image named in the environment, ignoring blanks', () => {
    expect(externalClientImage({ [EXTERNAL_CLIENT_IMAGE_ENV]: ' cnimatrix/curl:local ' })).toBe('cnimatrix/curl:local');
    expect(externalClientImage({ [EXTERNAL_CLIENT_IMAGE_ENV]: '  ' })).toBe(testImages.agnhost);
  });
});
