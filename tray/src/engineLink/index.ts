export { connectEngineLink, type EngineLink, type EngineLinkOptions } from './engineLink.js';
