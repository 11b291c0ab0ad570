/**
 * The SIP mutators moved to test/support/fuzz/, where the fuzz harness (scripts/fuzz) and its tests
 * share them; this module keeps the names the first mutation test imports.
 */
export { pick, randomInt, seededRng, type Rng } from '../../support/fuzz/rng';
export { BASE_METHODS, baseMessage, type BaseMessageInit, type BaseMethod } from '../../support/fuzz/sip-templates';
export { MUTATION_NAMES, MUTATIONS, mutate } from '../../support/fuzz/sip-mutator';
