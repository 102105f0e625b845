// Runs before the element is defined (embed.ts imports it first): bare
// <livecart-player> elements already in the page are upgraded at once, and
// read these defaults. import.meta.url is embed.js's own address, so the
// player talks to the livecart host that served it.
import { playerDefaults } from '../player/defaults';

playerDefaults.base = new URL(import.meta.url).origin;
playerDefaults.shop = true;
