// GraphiQL for Madoguchi's API, served by the server itself (no CDN): queries and mutations
// go to POST /graphql, subscriptions over graphql-transport-ws on the same path. Signed-in
// staff use their session cookie; third parties add `Authorization: Bearer …` in the
// headers pane.
(function () {
  'use strict';
  function endpoint(subscription) {
    var url = new URL('/graphql', window.location.origin);
    if (subscription) {
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    return url.toString();
  }
  var fetcher = GraphiQL.createFetcher({
    url: endpoint(false),
    subscriptionUrl: endpoint(true),
    fetch: function (url, options) {
      return window.fetch(url, Object.assign({}, options, { credentials: 'same-origin' }));
    },
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
