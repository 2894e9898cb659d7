// The home page subscribes to nothing; it connects only so its badge shows what realtime can reach.
import { startLive } from './page.js';

startLive({ onEvent: () => {} });
