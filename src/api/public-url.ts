import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** HOOKD_PUBLIC_URL when set; else the address the client reached us at (links it can follow back). */
export function publicBase(config: Config, request: FastifyRequest): string {
  return config.publicUrl || `${request.protocol}://${request.headers.host ?? `localhost:${config.port}`}`;
}
