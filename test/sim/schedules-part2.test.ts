// Random schedules, part 2 of 2 (the two files run in parallel): every safety check holds after every step,
// and every healed cluster elects a leader and commits within a bounded virtual time.
import { testSchedulePart } from './batch.js';

testSchedulePart(2);
