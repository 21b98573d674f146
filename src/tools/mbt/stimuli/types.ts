// A stimulus makes the running system produce one model event: a telephony message, a provider
// event, a timer fired on the step clock, a socket drop, a hang-up, SIGTERM, or letting the media
// thread's wake-ups through. It may prepare (open the AI link, create a response) as long as the
// preparation takes no transition of the machine under test.
import type { PlannedStep } from '../paths.js';
import type { World } from '../world.js';

export type Stimulus = (w: World, step: PlannedStep) => Promise<void> | void;

/** Stimuli of one machine, keyed "<EVENT>:<role>". */
export type StimulusTable = Readonly<Record<string, Stimulus>>;
