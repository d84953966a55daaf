"""Resolvers, one module per noun: parse arguments, call one service, shape the answer."""
