import { envReader, integerIn, renderEnvHelp } from './env';

const rows = [
  { name: 'WHARF_ZK', fallback: '127.0.0.1:2181', description: 'ZooKeeper connect string' },
  { name: 'WHARF_ROLES_TOKEN', fallback: '', description: 'roles token' },
];

test('renderEnvHelp pads names to the longest one and shows an empty fallback as none', () => {
  expect(renderEnvHelp(rows)).toEqual([
    '  WHARF_ZK           ZooKeeper connect string (default: 127.0.0.1:2181)',
    '  WHARF_ROLES_TOKEN  roles token (default: none)',
  ]);
});

test('renderEnvHelp pads to a given width', () => {
  expect(renderEnvHelp(rows.slice(0, 1), { nameWidth: 12 })).toEqual([
    '  WHARF_ZK      ZooKeeper connect string (default: 127.0.0.1:2181)',
  ]);
  expect(renderEnvHelp([])).toEqual([]);
});

test('envReader trims and falls back when a variable is unset or blank', () => {
  const read = envReader({ A: ' x ', B: '   ', C: '' });
  expect(read('A', 'd')).toBe('x');
  expect(read('B', 'd')).toBe('d');
  expect(read('C', 'd')).toBe('d');
  expect(read('D', 'd')).toBe('d');
});

test('integerIn accepts integers in range only', () => {
  expect(integerIn('0', 0, 65535)).toBe(0);
  expect(integerIn('65535', 0, 65535)).toBe(65535);
  expect(integerIn('65536', 0, 65535)).toBeUndefined();
  expect(integerIn('0', 1, 65535)).toBeUndefined();
  expect(integerIn('1.5', 0, 9)).toBeUndefined();
  expect(integerIn('abc', 0, 9)).toBeUndefined();
});
