#!/usr/bin/env node
// The example app for `npx cdk synth|deploy` (cdk.json): -c machineIds=mch_a,mch_b -c instanceKeySecret=<name|ARN>.
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './buildExampleApp.ts';

const app = new App();
buildExampleApp(app);
app.synth();
