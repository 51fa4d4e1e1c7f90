// `cnimatrix images`: every image the planned cells need, for pulling ahead of an air-gapped run
// (`cnimatrix images | xargs -n1 docker pull`, then `cnimatrix run --preload`).
import { Command, Option } from 'commander';
import { loadConfig, toPlanRequest } from '../../config/index.ts';
import { buildPlan } from '../../plan/index.ts';
import { addConfigFlags, configFlagsFrom, PLANNING_KEYS } from '../config-flags.ts';

export function imagesCommand(): Command {
  const command = new Command('images')
    .description('list every image the planned cells need (node image, CNI, ingress controller, test images), one per line')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  return addConfigFlags(command, PLANNING_KEYS).action((options: Record<string, unknown>) => {
    const config = loadConfig({ cwd: process.cwd(), flags: configFlagsFrom(options) });
    const plan = buildPlan(toPlanRequest(config));
    const images = [...new Set([plan.nodeImage, ...plan.cells.flatMap((cell) => cell.images)])].sort();
    process.stdout.write(options.format === 'json' ? `${JSON.stringify(images, null, 2)}\n` : `${images.join('\n')}\n`);
  });
}
