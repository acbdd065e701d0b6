// GraphiQL against this server's /graphql. A link may carry the query and
// the headers (?query=…&headers=…), so an example can be shared as a URL;
// otherwise GraphiQL restores what the user last typed.
(function () {
  var params = new URLSearchParams(window.location.search);
  var props = {
    fetcher: GraphiQL.createFetcher({ url: window.location.origin + '/graphql' }),
    defaultQuery: '# Set X-PARTNER-ID in the Headers tab, then run:\n{ banks { bankCode bankName } }\n',
    defaultHeaders: '{\n  "X-PARTNER-ID": ""\n}',
    shouldPersistHeaders: true,
  };
  if (params.has('query')) props.query = params.get('query');
  if (params.has('headers')) props.headers = params.get('headers');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();
