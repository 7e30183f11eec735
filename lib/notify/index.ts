export {
  isMachineKeyRotatedEvent,
  MACHINE_KEY_ROTATED,
  type MachineKeyRotatedEvent,
  parseMachineKeyRotatedEvent,
} from '../MachineKeyRotatedEvent.ts';
export {
  createRotationNotifier,
  ROTATION_NOTIFICATION_FAILED_METRIC,
  type RotationNotificationResult,
  type RotationNotifier,
  type RotationNotifierOptions,
} from './createRotationNotifier.ts';
export {
  isLambdaFunctionArn,
  parseNotifyFunctionArns,
  ROTATION_NOTIFY_FUNCTION_ARNS,
} from './parseNotifyFunctionArns.ts';
