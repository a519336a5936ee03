/* Imported first by the backend's entry point: V8's heap settings (heapSettings.ts) have to be in
 * place before the modules and the fleet's first lists fill the heap. */
import { applyHeapSettings } from './heapSettings';

applyHeapSettings();
