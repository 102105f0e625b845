/**
 * Two projects: `unit` (beside the code, no outside services) and
 * `integration` (under test/, real Postgres and Redis, run in band so that
 * tests sharing one database server do not fight over ports and CPU).
 */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: {
    // The front end's units compile with its own tsconfig (DOM, bundler aliases).
    '^.+/client-demo/src/.+\\.ts$': ['ts-jest', { tsconfig: 'client-demo/tsconfig.spec.json' }],
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }],
    // content-disposition 3 (a dependency of @fastify/static) ships only ES
    // modules: Node loads it through require(esm), jest's module registry cannot,
    // so it is compiled to CommonJS here.
    '/content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: ['^(?!.*/node_modules/content-disposition/).*/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The front end imports the server's framework-free files by this alias (client-demo/tsconfig.json).
  moduleNameMapper: { '^@shared/(.*)$': '<rootDir>/src/$1' },
};
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/media', '<rootDir>/client-demo/src'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/media/'],
    },
    {
      // Real WebRTC stacks and mediasoup; run inside a loopback-only network
      // namespace by `npm run test:media` (scripts/test-media.sh).
      ...base,
      displayName: 'media',
      roots: ['<rootDir>/test/media'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/netns-setup.ts',
    },
  ],
};
