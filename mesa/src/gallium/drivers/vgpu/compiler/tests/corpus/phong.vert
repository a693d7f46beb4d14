// Per-fragment Phong lighting: the vertex shader passes eye-space position and normal.
uniform mat4 modelview;
uniform mat4 projection;
uniform mat3 normal_matrix;
attribute vec4 position;
attribute vec3 normal;
varying vec3 eye_position;
varying vec3 eye_normal;
void main()
{
    vec4 eye = modelview * position;
    eye_position = eye.xyz;
    eye_normal = normal_matrix * normal;
    gl_Position = projection * eye;
}
