"""One dependency-injector container per bounded context, composed by `entrypoints.container`.

Each context module holds two containers: `<Context>Adapters`, the PostgreSQL- and Redis-backed
adapters behind the context's ports (tests swap the whole set for an in-memory one), and
`<Context>`, its use cases and the pure-CPU services they need."""
