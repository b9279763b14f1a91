import { definePackageConfig } from '@a2a-stores/vitest-config';

export default definePackageConfig({
  test: {
    // The AWS SDK warns once per worker that its 2027 releases will need Node 22; the tests run
    // on Node 20 on purpose (the package supports it), so the notice is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
