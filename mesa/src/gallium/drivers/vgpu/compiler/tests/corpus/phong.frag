precision mediump float;
uniform vec3 light_position;
uniform vec3 ambient;
uniform vec3 diffuse;
uniform vec3 specular;
uniform float shininess;
varying vec3 eye_position;
varying vec3 eye_normal;
void main()
{
    vec3 n = normalize(eye_normal);
    vec3 l = normalize(light_position - eye_position);
    vec3 v = normalize(-eye_position);
    vec3 r = reflect(-l, n);
    float lambert = max(dot(n, l), 0.0);
    float highlight = lambert > 0.0 ? pow(max(dot(r, v), 0.0), shininess) : 0.0;
    gl_FragColor = vec4(ambient + diffuse * lambert + specular * highlight, 1.0);
}
