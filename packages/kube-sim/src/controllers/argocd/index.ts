export { ApplicationController, APPLICATIONS, RESOURCES_FINALIZER } from './ApplicationController';
