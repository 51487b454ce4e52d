/**
 * Debian's Chromium driven by playwright-core (docs/dashboard.md). `.ci/run` installs it when missing
 * (`apt-get install -y chromium`); the flags keep it headless and quiet inside a container.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
