#!/usr/bin/env node
// Committed rather than built, so that installing the workspace links the command before the first build.
import "../dist/cli.js";
