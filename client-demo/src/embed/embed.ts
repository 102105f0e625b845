// /embed.js: the shoppable player for any site.
//
//   <script src="https://HOST/embed.js" type="module"></script>
//   <livecart-player stream="STREAM_ID"></livecart-player>
//
// Built as a library (client-demo/vite.config.mts, `embedBuild`) into
// dist/client/embed.js: a module script is deferred, so it never blocks the
// host page's first paint, and hls.js is a chunk in embed/, fetched only when
// HLS starts. Events, methods and attributes: embed-api.d.ts, served as /embed.d.ts.
import './embed-defaults';
import '../components/livecart-player';
