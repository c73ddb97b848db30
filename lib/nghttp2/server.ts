// Placeholder: HTTP2Server and BaseRequestHandler are written in their own change.
export {};
