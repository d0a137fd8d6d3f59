const ADJECTIVES = ['able', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'gentle', 'glad', 'grand', 'honest', 'keen', 'kind', 'lively', 'loud', 'lucky', 'merry', 'mighty', 'neat', 'nimble', 'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'smart', 'snappy', 'steady', 'sunny', 'swift', 'tidy', 'vast', 'warm', 'wise', 'witty', 'young', 'zesty'];
const NOUNS = ['ant', 'bat', 'bear', 'bee', 'carp', 'cat', 'crab', 'crow', 'deer', 'dove', 'duck', 'eel', 'elk', 'finch', 'fox', 'frog', 'goat', 'gull', 'hare', 'hawk', 'heron', 'ibis', 'jay', 'koala', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'panda', 'puma', 'ram', 'seal', 'shark', 'snail', 'swan', 'toad', 'wasp', 'wolf'];

/** A readable random run name such as `swift-heron-417`, as MLflow generates when none is given. */
export function generateRunName(random: () => number = Math.random): string {
  const pick = (list: string[]) => list[Math.floor(random() * list.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(random() * 1000)}`;
}
