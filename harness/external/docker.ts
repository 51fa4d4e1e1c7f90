// Whether a container engine is reachable, and facts about it the external client needs.
import { getContainerRuntimeClient, ImageName } from 'testcontainers';

// cnimatrix stops every container it starts; the Ryuk reaper would need its image pulled, which an
// offline machine cannot do. An explicit setting by the user still wins.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export type DockerAvailability = { available: true } | { available: false; reason: string };

/** Resolves (never rejects) with whether testcontainers finds a working container engine. */
export async function dockerAvailable(): Promise<DockerAvailability> {
  try {
    await getContainerRuntimeClient();
    return { available: true };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `no container engine is reachable (${detail})` };
  }
}

export async function imageExistsLocally(image: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  return client.image.exists(ImageName.fromString(image));
}

export async function dockerNetworkExists(name: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  try {
    await client.network.getById(name).inspect();
    return true;
  } catch {
    return false;
  }
}
